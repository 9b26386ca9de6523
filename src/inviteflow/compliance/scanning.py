"""The compliance scan: read roster creators' new public posts and flag unlinked campaign
content. Calls TikTok; every write goes through services.

Incremental: a creator's ScanCursor remembers the newest post read, and the next scan
follows TikTok's public post list (§4.3: newest first, cursor pages) only until it meets
that post, so a creator who posted nothing new costs one call. A creator read for the
first time, or whose campaigns now reach further back than what was read, is read back to
the start of their earliest campaign window. One creator is read once per scan, against
every campaign of theirs being scanned. Calls go through the client, inside the
installation's shared rate limit, outside any transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.compliance import detection, services
from inviteflow.compliance.detection import Read, Target
from inviteflow.compliance.models import ScanCursor
from inviteflow.core.threads import fan_out
from inviteflow.creators.models import Creator
from inviteflow.tiktok import errors, schemas
from inviteflow.tiktok.client import TikTokClient

log = logging.getLogger(__name__)

CHUNK = 50  # creators read, then recorded, at a time
FAILURES_BEFORE_GIVING_UP = 5  # consecutive creators TikTok failed to answer for


class ScanAborted(Exception):
    """TikTok keeps failing: the rest waits for the next scan (cursors so far are kept)."""


def max_pages() -> int:
    """A bound on one creator's reading per scan (500 posts at the client's 10 a page)."""
    return int(settings.COMPLIANCE_SCAN_MAX_PAGES)


def after_end() -> timedelta:
    """Campaigns are scanned a little after they end: late posts, and takedowns to see."""
    return timedelta(days=settings.COMPLIANCE_SCAN_AFTER_END_DAYS)


@dataclass
class Scan:
    workspace: Workspace
    client: TikTokClient
    account_id: str
    creators_scanned: int = 0
    videos_seen: int = 0
    calls: int = 0
    found: int = 0
    skipped: list[str] = field(default_factory=list)  # creators TikTok would not list


# -- What to scan ---------------------------------------------------------------------------


def scannable_campaigns(workspace: Workspace) -> QuerySet[Campaign]:
    """TikTok campaigns whose window is open (or closed only a few days ago)."""
    today = timezone.localdate()
    return Campaign.objects.filter(
        workspace=workspace,
        tiktok_enabled=True,
        starts_on__lte=today,
        ends_on__gte=today - after_end(),
    )


def scan_workspace(scan: Scan) -> Scan:
    """Every roster creator of every scannable campaign (the scheduled scan)."""
    campaigns = list(scannable_campaigns(scan.workspace))
    roster = CampaignCreator.objects.filter(campaign__in=campaigns)
    return _scan(scan, campaigns, set(roster.values_list("creator_id", flat=True)))


def scan_campaign(scan: Scan, campaign: Campaign) -> Scan:
    """Scan now: the campaign's roster, read against all their scannable campaigns."""
    campaigns = {c.pk: c for c in scannable_campaigns(scan.workspace)} | {campaign.pk: campaign}
    creator_ids = set(campaign.roster.values_list("creator_id", flat=True))
    return _scan(scan, list(campaigns.values()), creator_ids)


def _scan(scan: Scan, campaigns: list[Campaign], creator_ids: set[int]) -> Scan:
    windows = windows_by_creator(campaigns, creator_ids)
    signals = services.signals_of(scan.workspace)
    by_id = {campaign.pk: campaign for campaign in campaigns}
    failures = 0
    for chunk in _chunks(sorted(windows), CHUNK):
        reads = _read_all(scan, targets(chunk, windows))
        scan.found += services.record_reads(scan.workspace, by_id, windows, signals, reads)
        failures = _tally(scan, reads, failures)
    return scan


def windows_by_creator(
    campaigns: list[Campaign], creator_ids: set[int]
) -> dict[int, list[detection.Window]]:
    zone = timezone.get_current_timezone()
    by_id = {campaign.pk: campaign for campaign in campaigns}
    windows: dict[int, list[detection.Window]] = defaultdict(list)
    entries = CampaignCreator.objects.filter(campaign__in=campaigns, creator_id__in=creator_ids)
    for creator_id, campaign_id in entries.values_list("creator_id", "campaign_id"):
        c = by_id[campaign_id]
        windows[creator_id].append(detection.window(c.pk, c.hashtags, c.starts_on, c.ends_on, zone))
    return dict(windows)


def targets(creator_ids: list[int], windows: dict[int, list[detection.Window]]) -> list[Target]:
    cursors = {c.creator_id: c for c in ScanCursor.objects.filter(creator_id__in=creator_ids)}
    creators = Creator.objects.filter(pk__in=creator_ids).values_list("pk", "handle")
    return [_target(pk, handle, windows[pk], cursors.get(pk)) for pk, handle in creators]


def _target(
    creator_id: int, handle: str, windows: list[detection.Window], cursor: ScanCursor | None
) -> Target:
    since = min(window.starts for window in windows)
    target = Target(creator_id, handle, since)
    if cursor is None or cursor.covered_since is None or cursor.covered_since > since:
        return target  # never read back that far: read it all
    return Target(
        creator_id,
        handle,
        since,
        cursor.covered_since,
        cursor.newest_video_id,
        cursor.newest_published_at,
    )


# -- Reading --------------------------------------------------------------------------------


def _read_all(scan: Scan, chunk: list[Target]) -> list[Read]:
    def read(target: Target) -> Read:
        return read_new_videos(scan.client, scan.account_id, target)

    return fan_out(read, chunk, int(settings.COMPLIANCE_SCAN_CONCURRENCY), "compliance-scan")


def read_new_videos(client: TikTokClient, account_id: str, target: Target) -> Read:
    """The creator's posts newer than what was read before (and not before `since`)."""
    read, cursor = Read(target), None
    try:
        for _ in range(max_pages()):
            page = client.creator_videos_page(account_id, target.handle, cursor=cursor)
            read.calls += 1
            info = page.page_info
            if (
                _take(read, page.posts)
                or not (info.has_more and page.posts)
                or info.cursor in (None, cursor)
            ):
                read.complete = True
                break
            cursor = info.cursor
    except (
        errors.InvalidParams,
        errors.NotFound,
        errors.TransientServerError,
        errors.ConnectionFailed,
        errors.UnexpectedResponse,
    ) as exc:
        read.error = f"@{target.handle}: {exc.message or type(exc).__name__}"
        log.info("compliance scan of %s", read.error)
    return read


def _take(read: Read, items: Iterable[schemas.Post]) -> bool:
    """Keep the posts not read before; True once the rest is known or too old."""
    for item in items:
        video = detection.public_video(item)
        read.newest = read.newest or video
        if _reached(read.target, video):
            return True
        read.videos.append(video)
    return False


def _reached(target: Target, video: detection.PublicVideo) -> bool:
    if target.stop_id and video.video_id == target.stop_id:
        return True
    at = video.published_at
    return at is not None and (
        at < target.since or (target.stop_at is not None and at < target.stop_at)
    )


def _tally(scan: Scan, reads: list[Read], failures: int) -> int:
    """Add up; give up when TikTok failed for many creators in a row."""
    for read in reads:
        scan.calls += read.calls
        if read.error:
            scan.skipped.append(read.error)
            failures += 1
            if failures >= FAILURES_BEFORE_GIVING_UP:
                raise ScanAborted(f"TikTok failed for {failures} creators in a row: {read.error}")
            continue
        failures = 0
        scan.creators_scanned += 1
        scan.videos_seen += len(read.videos)
    return failures


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
