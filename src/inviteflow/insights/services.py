"""State changes of insights: a report recorded, posts marked final, campaign totals kept,
sync state. TikTok is never called from here (see sync.py), so no transaction waits on it.

Recording one (TikTok campaign object, region) report is one transaction: a snapshot per
reported post; the latest values of posts whose figures changed replaced (the others only
confirmed "as of" now); the object's breakdown rows summed again; and posts TikTok no longer
reports marked final with their last values kept. Recording the same answer twice adds a
second snapshot and moves "as of", nothing else.
"""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from inviteflow.accounts.models import User
from inviteflow.campaigns.models import Campaign
from inviteflow.core import events
from inviteflow.core.enqueue import job
from inviteflow.core.sync import request_run
from inviteflow.insights import metrics
from inviteflow.insights.models import (
    Breakdown,
    CampaignSnapshot,
    InsightsSync,
    MetricSnapshot,
    PostInsights,
    ReportLink,
    report_token_hash,
)
from inviteflow.tiktok.schemas import VideoMetrics

# A sync "running" this long died with its worker. Generous: 20,000 links at 10 QPS, shared
# with other workspaces, take well over half an hour.
SYNC_STALE_AFTER = timedelta(hours=3)
SYNC_CAMPAIGN_INSIGHTS = job("insights.sync_campaign_insights")
LATEST_FIELDS = [
    *metrics.HEADLINE,
    "snapshot",
    "digest",
    "as_of",
    "final",
    "final_at",
    "campaign",
    "creator",
    "tiktok_campaign_id",
]


@dataclass(frozen=True)
class PostRef:
    """A post a report may name: what its rows need besides the figures."""

    post_id: int
    creator_id: int


@dataclass(frozen=True)
class Recorded:
    posts: frozenset[int]  # the posts TikTok reported (a post is in several regions' reports)
    finalized: int


@dataclass(frozen=True)
class Report:
    """One TikTok campaign object's complete report in one region, matched to our posts."""

    campaign: Campaign
    region: str
    expected: dict[str, PostRef]  # the object's posts: video id -> post
    reported: dict[str, VideoMetrics]  # those TikTok reported
    fetched_at: datetime

    @cached_property
    def latest(self) -> dict[str, dict[str, Any]]:
        return {video_id: metrics.latest(video) for video_id, video in self.reported.items()}

    @cached_property
    def changed(self) -> dict[str, str]:
        """The reported posts whose figures differ from what we hold (TikTok refreshes about
        daily, so most 6-hourly syncs change little): video id -> digest of the new figures."""
        held = dict(
            PostInsights.objects.filter(
                post_id__in=[self.post_id(v) for v in self.latest], country_code=self.region
            ).values_list("post_id", "digest")
        )
        digests = {video_id: metrics.digest(values) for video_id, values in self.latest.items()}
        return {
            video_id: digest
            for video_id, digest in digests.items()
            if held.get(self.post_id(video_id)) != digest
        }

    def post_id(self, video_id: str) -> int:
        return self.expected[video_id].post_id


def record_report(
    campaign: Campaign,
    object_id: str,
    region: str,
    expected: dict[str, PostRef],
    videos: Iterable[VideoMetrics],
    fetched_at: datetime,
) -> Recorded:
    """Record TikTok campaign object `object_id`'s full report in `region`; `expected` are
    the posts we asked about (its posts still reported or not reported yet)."""
    reported = {video.id: video for video in videos if video.id in expected}
    report = Report(campaign, region, expected, reported, fetched_at)
    with transaction.atomic():
        snapshots = _snapshots(report)
        _latest(report, object_id, snapshots)
        _breakdowns(report, object_id)
        finalized = _finalize(report)
    return Recorded(frozenset(expected[video_id].post_id for video_id in reported), finalized)


def _snapshots(report: Report) -> dict[str, int]:
    """A snapshot per reported post whose figures changed (an unchanged one is confirmed by
    PostInsights.as_of instead of stored again); returns video id -> snapshot id."""
    changed = [video_id for video_id in report.reported if video_id in report.changed]
    created = MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(
                workspace_id=report.campaign.workspace_id,
                post_id=report.post_id(video_id),
                country_code=report.region,
                fetched_at=report.fetched_at,
                raw=metrics.raw(report.reported[video_id]),
                **{name: report.latest[video_id][name] for name in metrics.HEADLINE},
            )
            for video_id in changed
        ]
    )
    return {video_id: snap.pk for video_id, snap in zip(changed, created, strict=True)}


def _latest(report: Report, object_id: str, snapshots: dict[str, int]) -> None:
    """Changed figures replaced; unchanged ones confirmed as of this fetch."""
    unchanged = [report.post_id(v) for v in report.latest if v not in report.changed]
    PostInsights.objects.filter(post_id__in=unchanged, country_code=report.region).update(
        as_of=report.fetched_at, final=False, final_at=None
    )
    rows = [
        PostInsights(
            workspace_id=report.campaign.workspace_id,
            campaign=report.campaign,
            creator_id=report.expected[video_id].creator_id,
            post_id=report.post_id(video_id),
            tiktok_campaign_id=object_id,
            country_code=report.region,
            snapshot_id=snapshots[video_id],
            digest=digest,
            as_of=report.fetched_at,
            first_reported_at=report.fetched_at,
            final=False,
            final_at=None,
            **{name: report.latest[video_id][name] for name in metrics.HEADLINE},
        )
        for video_id, digest in report.changed.items()
    ]
    PostInsights.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["post", "country_code"],
        update_fields=LATEST_FIELDS,
    )


def _breakdowns(report: Report, object_id: str) -> None:
    """The object's breakdown rows, summed again over all its posts' latest figures in the
    region (posts TikTok no longer reports included); untouched when no figure changed."""
    if not report.changed:
        return
    others = (
        PostInsights.objects.filter(
            campaign=report.campaign, country_code=report.region, tiktok_campaign_id=object_id
        )
        .exclude(post_id__in=[report.post_id(v) for v in report.latest])
        .select_related("snapshot")
    )
    posts = [
        *report.latest.values(),
        *({"video_views": row.video_views, **row.details} for row in others),
    ]
    Breakdown.objects.filter(
        campaign=report.campaign, country_code=report.region, tiktok_campaign_id=object_id
    ).delete()
    Breakdown.objects.bulk_create(
        [
            Breakdown(
                workspace_id=report.campaign.workspace_id,
                campaign=report.campaign,
                tiktok_campaign_id=object_id,
                country_code=report.region,
                dimension=dimension,
                key=key,
                **sums,
            )
            for (dimension, key), sums in metrics.summed_breakdown(posts).items()
        ]
    )


def _finalize(report: Report) -> int:
    """Posts reported before, absent from this complete report: TikTok stopped tracking them."""
    gone = [
        ref.post_id for video_id, ref in report.expected.items() if video_id not in report.reported
    ]
    if not gone:
        return 0
    return PostInsights.objects.filter(
        post_id__in=gone, country_code=report.region, final=False
    ).update(final=True, final_at=report.fetched_at)


def record_campaign_totals(campaign: Campaign, regions: Sequence[str]) -> list[CampaignSnapshot]:
    """The campaign's totals per region now: the next point of its views-over-time line."""
    rows = (
        PostInsights.objects.filter(campaign=campaign, country_code__in=list(regions))
        .values("country_code")
        .annotate(
            posts=Count("id"),
            video_views=Sum("video_views"),
            reach=Sum("reach"),
            engagement_count=Sum("engagement_count"),
        )
        .order_by()
    )
    now = timezone.now()
    return [_campaign_point(campaign, row, now) for row in rows]


def _campaign_point(campaign: Campaign, row: Mapping[str, Any], now: datetime) -> CampaignSnapshot:
    """The next point of the line. While the totals stay the same, the line keeps two points,
    where the plateau began and its latest confirmation, which moves to `now`."""
    point = CampaignSnapshot(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        taken_at=now,
        country_code=row["country_code"],
        posts=row["posts"],
        video_views=row["video_views"] or 0,
        reach=row["reach"] or 0,
        engagement_count=row["engagement_count"] or 0,
    )
    last_two = CampaignSnapshot.objects.filter(
        campaign=campaign, country_code=point.country_code
    ).order_by("-taken_at", "-id")[:2]
    if len(last_two) == 2 and all(_same_totals(point, older) for older in last_two):
        CampaignSnapshot.objects.filter(pk=last_two[0].pk).update(taken_at=now)
        last_two[0].taken_at = now
        return last_two[0]
    point.save()
    return point


def _same_totals(one: CampaignSnapshot, other: CampaignSnapshot) -> bool:
    fields = ("posts", "video_views", "reach", "engagement_count")
    return all(getattr(one, name) == getattr(other, name) for name in fields)


# -- Sync state -----------------------------------------------------------------------------


def sync_state(campaign: Campaign) -> InsightsSync:
    state, _ = InsightsSync.objects.get_or_create(
        campaign=campaign, defaults={"workspace_id": campaign.workspace_id}
    )
    return state


def request_sync(campaign: Campaign) -> InsightsSync:
    """Refresh insights: record the request and enqueue the sync after commit."""
    state = sync_state(campaign)
    request_run(state, SYNC_CAMPAIGN_INSIGHTS, campaign.pk)
    return state


def start_sync(campaign: Campaign) -> bool:
    """Claim the campaign's sync; False while another one runs (a dead one expires)."""
    state = sync_state(campaign)
    now = timezone.now()
    free = (
        Q(started_at__isnull=True)
        | Q(finished_at__gte=F("started_at"))
        | Q(started_at__lt=now - SYNC_STALE_AFTER)
    )
    return InsightsSync.objects.filter(free, pk=state.pk).update(started_at=now) == 1


def finish_sync(
    campaign: Campaign, fetched: int, updated: int, finalized: int, error: str = ""
) -> None:
    InsightsSync.objects.filter(campaign=campaign).update(
        finished_at=timezone.now(),
        reports_fetched=fetched,
        posts_updated=updated,
        posts_finalized=finalized,
        last_error=error[:2000],
    )
    events.emit("insights.updated", sync_state(campaign))


# -- Shared report links --------------------------------------------------------------------

REPORT_LINK_DAYS = (1, 7, 30, 90)  # the expiry choices offered


def share_report(
    campaign: Campaign, created_by: User | None, days: Any, hide_contacts: bool = False
) -> tuple[ReportLink, str]:
    """A new read-only link to the campaign's report, and its token (shown only now)."""
    if isinstance(days, bool) or days not in REPORT_LINK_DAYS:
        choices = ", ".join(str(d) for d in REPORT_LINK_DAYS)
        raise ValidationError({"expires_in_days": f"one of {choices} days"})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ReportLink.objects.create(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        token_hash=report_token_hash(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=days),
        hide_contacts=bool(hide_contacts),
    )
    return link, token


def revoke_report_link(link: ReportLink) -> bool:
    """The link stops working now; False if it was already revoked."""
    revoked = ReportLink.objects.filter(pk=link.pk, revoked_at__isnull=True)
    return revoked.update(revoked_at=timezone.now()) == 1


def live_report_link(token: str) -> ReportLink | None:
    """The link `token` opens, unless it is unknown, revoked or expired."""
    found = ReportLink.objects.filter(
        token_hash=report_token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return found.select_related("campaign__workspace").first()
