"""Reading `/tto/tcm/report/` for a campaign: the only module of the app that calls TikTok.

TikTok reports one TikTok campaign object per call, for one region (`Country-Code`), a page
at a time (§7). inviteflow backs every invite link (and every campaign code or linking
request) with its own object, so a campaign's report is one read per object behind its
linked posts, per target region, per page: the fewest calls TikTok allows. Objects whose
posts are all final, or never reported and long past the tracking window, are not read.

Reads run on a small thread pool so TikTok's latency does not bound throughput; the
client's shared limiter keeps every process together under the app's QPS/QPM. Each object's
report is recorded (services.record_report) as soon as it is complete.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Lock

from django.conf import settings
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core.threads import fan_out
from inviteflow.insights import orders, services
from inviteflow.insights.models import PostInsights
from inviteflow.insights.services import PostRef
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors, sizes
from inviteflow.tiktok.client import Limiter, TikTokClient
from inviteflow.tiktok.connections import get_connection
from inviteflow.tiktok.schemas import VideoMetrics

log = logging.getLogger(__name__)

DEFAULT_REGION = "US"
STOPPING = (
    errors.Throttled,
    errors.AuthError,
    errors.PermissionDenied,
    errors.EndpointUnavailable,  # one retired endpoint fails every fetch alike
)


def page_size() -> int:
    """The client's report page size now (for figures; the client sends it by itself)."""
    return sizes.shared().current(sizes.REPORT, sizes.PAGE_SIZE)


def concurrency() -> int:
    return settings.INSIGHTS_SYNC_CONCURRENCY


def give_up_after() -> timedelta:
    """A post TikTok never reported this long after publishing will not be reported now."""
    days = settings.INSIGHTS_TRACKING_DAYS + 7
    return timedelta(days=days)


@dataclass(frozen=True)
class Fetch:
    """One report to read: a TikTok campaign object in one region, and the posts it holds."""

    object_id: str
    region: str
    posts: dict[str, PostRef]  # video id -> post


@dataclass
class Run:
    campaign: Campaign
    client: TikTokClient
    account_id: str
    fetched: int = 0
    finalized: int = 0
    failures: list[str] = field(default_factory=list)
    stop: errors.TikTokError | None = None
    reported: set[int] = field(default_factory=set)
    _lock: Lock = field(default_factory=Lock)

    @property
    def updated(self) -> int:
        """Posts reported, each once whatever the number of regions (8 posts in 2 regions
        are 8 posts, not 16)."""
        return len(self.reported)

    def add(self, recorded: services.Recorded) -> None:
        with self._lock:
            self.fetched += 1
            self.reported |= recorded.posts
            self.finalized += recorded.finalized

    def fail(self, fetch: Fetch, exc: errors.TikTokError) -> None:
        self.note_failure(fetch.object_id, fetch.region, exc)

    def note_failure(self, label: str, region: str, exc: errors.TikTokError) -> None:
        with self._lock:
            self.failures.append(f"{label} ({region}): {exc}")
            if isinstance(exc, STOPPING) and self.stop is None:
                self.stop = exc


class OneWaiterAtATime:
    """The installation's limiter, asked by one thread of this sync at a time.

    Each thread waiting on the shared limiter polls its database row; four threads waiting
    for the same slot cost four transactions a call and made grants late. The others wait
    on a local lock instead: still a call in the air per thread, a quarter of the polling.
    """

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter
        self._turn = Lock()

    def acquire(self, workspace_key: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        if not self._turn.acquire(timeout=timeout):
            raise errors.RateLimitTimeout(None, f"no TikTok call slot within {timeout:g} s")
        try:
            return self._limiter.acquire(workspace_key, max(0.0, deadline - time.monotonic()))
        finally:
            self._turn.release()

    def release(self, grant: str) -> None:
        self._limiter.release(grant)

    def start_cooldown(self, seconds: float | None = None) -> None:
        self._limiter.start_cooldown(seconds)

    def cooldown_remaining(self) -> float:
        return self._limiter.cooldown_remaining()


def regions_of(campaign: Campaign) -> list[str]:
    """The campaign's target countries; without any, the connected account's country."""
    if campaign.countries:
        return [code.upper() for code in campaign.countries]
    connection_ = get_connection(campaign.workspace)
    return [(connection_.country if connection_ else "") or DEFAULT_REGION]


def plan(campaign: Campaign, regions: list[str], now: datetime | None = None) -> list[Fetch]:
    """Every (object, region) whose report can still tell us something, with its posts."""
    now = now or timezone.now()
    linked = (
        Post.objects.filter(campaign=campaign)
        .exclude(linked_via="")
        .exclude(tiktok_campaign_id="")
        .values_list("id", "video_id", "creator_id", "tiktok_campaign_id", "published_at")
    )
    known = _insights_states(campaign)
    cutoff = now - give_up_after()
    fetches: dict[tuple[str, str], dict[str, PostRef]] = defaultdict(dict)
    for post_id, video_id, creator_id, object_id, published_at in linked:
        for region in regions:
            state = known.get((post_id, region))
            if state or (state is None and _may_still_come(published_at, cutoff)):
                fetches[object_id, region][video_id] = PostRef(post_id, creator_id)
    return [Fetch(obj, region, posts) for (obj, region), posts in fetches.items()]


def _insights_states(campaign: Campaign) -> dict[tuple[int, str], bool]:
    """(post, region) -> still reported (True) or final (False)."""
    rows = PostInsights.objects.filter(campaign=campaign).values_list(
        "post_id", "country_code", "final"
    )
    return {(post_id, region): not final for post_id, region, final in rows}


def _may_still_come(published_at: datetime | None, cutoff: datetime) -> bool:
    return published_at is None or published_at >= cutoff


def sync_campaign(run: Run, regions: list[str]) -> Run:
    """Read every report of the plan, record each, then the campaign's totals."""
    if run.client.limiter is not None:
        run.client.limiter = OneWaiterAtATime(run.client.limiter)
    fetches = plan(run.campaign, regions)
    fan_out(lambda fetch: read_report(run, fetch), fetches, concurrency(), "insights")
    if run.stop is None:
        orders.read(run, regions[0])  # campaign-code posts the TTO report cannot name
    if run.fetched:
        services.record_campaign_totals(run.campaign, regions)
    log.info(
        "insights of campaign %s: %s reports, %s posts, %s final, %s errors",
        run.campaign.pk,
        run.fetched,
        run.updated,
        run.finalized,
        len(run.failures),
    )
    return run


def read_report(run: Run, fetch: Fetch) -> None:
    """One object's report in one region, all pages, then recorded; errors noted, not raised."""
    if run.stop is not None:
        return
    try:
        videos = list(_report(run, fetch))
    except errors.TikTokError as exc:
        log.warning("report of %s in %s: %r", fetch.object_id, fetch.region, exc)
        run.fail(fetch, exc)
        return
    recorded = services.record_report(
        run.campaign, fetch.object_id, fetch.region, fetch.posts, videos, timezone.now()
    )
    run.add(recorded)


def _report(run: Run, fetch: Fetch) -> Iterator[VideoMetrics]:
    return run.client.report(run.account_id, fetch.object_id, fetch.region)
