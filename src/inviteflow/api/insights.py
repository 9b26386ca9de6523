"""/api/v1 insights: a campaign's report, its per-post and per-creator figures, one post's
insights (latest and history), and reading TikTok's reports now. Thin: parse, call rollups
and services, shape the answer.

- `GET /campaigns/{id}/report?region=US`: totals, weighted rates, audience distributions,
  views by source, retention and views over time for one region (default: the campaign's
  first target country), each with the time TikTok reported it (`as_of`).
- `GET /campaigns/{id}/report/posts`, `/report/creators`: the same figures per post / per
  creator, most viewed first; `limit` / `offset`.
- `GET /posts/{id}/insights?region=`: the post's latest figures per region and its history.
- `POST /campaigns/{id}/insights/sync`: read the campaign's reports from TikTok now (202);
  `GET` shows how the last one went. (`POST /campaigns/{id}/sync` reconciles posts.)
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from inviteflow.accounts.access import get_for_workspace, scoped
from inviteflow.api.auth import workspace_of
from inviteflow.api.fields import Id
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.api.sync import SyncStateOut, sync_state
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.insights import rollups, services
from inviteflow.insights.models import MetricSnapshot, PostInsights
from inviteflow.posts.models import Post

router = Router(tags=["insights"])


class TotalsOut(Schema):
    posts: int = 0
    final_posts: int = 0
    video_views: int = 0
    views_organic: int = 0
    views_paid: int = 0
    reach: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    favorites: int = 0
    engagement_count: int = 0
    total_play_time: int = 0  # seconds


class RatesOut(Schema):
    """0–1 ratios (average_view_time: seconds), weighted by views; null when none reported."""

    engagement_rate: float | None = None
    video_completion_rate: float | None = None
    average_view_time: float | None = None
    two_second_view_rate: float | None = None
    six_second_view_rate: float | None = None


class ShareOut(Schema):
    key: str
    share: float


class SourceOut(Schema):
    source: str
    views: int
    share: float


class RetentionPointOut(Schema):
    at_percent: int  # of the video's length
    share: float  # of viewers still watching


class TrendPointOut(Schema):
    at: datetime
    posts: int
    video_views: int
    reach: int
    engagement_count: int


class InsightsSyncOut(SyncStateOut):
    reports_fetched: int = 0
    posts_updated: int = 0
    posts_finalized: int = 0


class ReportOut(Schema):
    campaign_id: Id
    region: str
    regions: list[str]
    as_of: datetime | None
    oldest_as_of: datetime | None
    posts_waiting: int
    totals: TotalsOut
    rates: RatesOut
    audience: dict[str, list[ShareOut]]
    views_by_source: list[SourceOut]
    retention: list[RetentionPointOut]
    views_over_time: list[TrendPointOut]
    sync: InsightsSyncOut


class FiguresOut(RatesOut):
    video_views: int | None = None
    views_organic: int | None = None
    views_paid: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    favorites: int | None = None
    engagement_count: int | None = None
    total_play_time: int | None = None


class PostFiguresOut(FiguresOut):
    post_id: Id
    video_id: str
    creator_id: Id
    region: str
    as_of: datetime
    final: bool


class PostFiguresPage(Schema):
    items: list[PostFiguresOut]
    count: int


class CreatorFiguresOut(FiguresOut):
    creator_id: Id
    handle: str
    name: str
    posts: int
    final_posts: int
    as_of: datetime | None


class CreatorFiguresPage(Schema):
    items: list[CreatorFiguresOut]
    count: int


class LatestOut(FiguresOut):
    region: str
    as_of: datetime
    first_reported_at: datetime
    final: bool
    final_at: datetime | None
    audience: dict[str, list[ShareOut]]
    views_by_source: dict[str, int]
    retention: list[float]  # share still watching, per second
    anchor_metrics: dict[str, int]


class SnapshotOut(FiguresOut):
    region: str
    fetched_at: datetime


class PostInsightsOut(Schema):
    post_id: Id
    video_id: str
    campaign_id: Id
    latest: list[LatestOut]
    history: list[SnapshotOut]


def _campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return get_for_workspace(Campaign, workspace_of(request), pk=campaign_id)


def _region(campaign: Campaign, region: str) -> str:
    known = rollups.regions(campaign)
    return region.upper() if region.upper() in known else known[0]


@router.get(
    "/campaigns/{campaign_id}/report",
    response=ReportOut,
    summary="The campaign's insights report in one region",
)
def campaign_report(request: HttpRequest, campaign_id: Id, region: str = ""):
    """Totals are sums over posts' latest figures; completion rate, average view time and
    the 2 s / 6 s rates are weighted by views; engagement_rate = engagements ÷ views;
    audience shares are weighted by views and sum to 1. Posts TikTok stopped reporting
    (~21 days) keep their last figures (`totals.final_posts`)."""
    report = rollups.report(_campaign(request, campaign_id), region.upper())
    return _report(report)


def _report(report: rollups.Report) -> dict[str, Any]:
    totals, found = report.totals, report.breakdowns
    return {
        "campaign_id": report.campaign.pk,
        "region": report.region,
        "regions": report.regions,
        "as_of": report.as_of,
        "oldest_as_of": totals["oldest_as_of"],
        "posts_waiting": report.waiting,
        "totals": totals,
        "rates": totals,
        "audience": {dim: [_share(b) for b in buckets] for dim, buckets in report.audience.items()},
        "views_by_source": [
            {"source": b.key, "views": round(b.views), "share": b.share}
            for b in found.get("source", [])
        ],
        "retention": [
            {"at_percent": int(b.key), "share": b.share} for b in found.get("retention", [])
        ],
        "views_over_time": [_trend(point) for point in report.trend],
        "sync": sync_state(InsightsSyncOut, report.sync),
    }


def _share(bucket: rollups.Bucket) -> dict[str, Any]:
    return {"key": bucket.key, "share": bucket.share}


def _trend(point: Any) -> dict[str, Any]:
    return {
        "at": point.taken_at,
        "posts": point.posts,
        "video_views": point.video_views,
        "reach": point.reach,
        "engagement_count": point.engagement_count,
    }


@router.get(
    "/campaigns/{campaign_id}/report/posts",
    response=PostFiguresPage,
    summary="The campaign's posts with their latest insights, most viewed first",
)
def report_posts(request: HttpRequest, campaign_id: Id, page: Query[PageParams], region: str = ""):
    campaign = _campaign(request, campaign_id)
    found = page_of(rollups.by_post(campaign, _region(campaign, region)), page)
    return {"items": [_post_figures(row) for row in found["items"]], "count": found["count"]}


def _figures(row: PostInsights | MetricSnapshot) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FiguresOut.model_fields}


def _post_figures(row: PostInsights) -> dict[str, Any]:
    return {
        **_figures(row),
        "post_id": row.post_id,
        "video_id": row.post.video_id,
        "creator_id": row.creator_id,
        "region": row.country_code,
        "as_of": row.as_of,
        "final": row.final,
    }


@router.get(
    "/campaigns/{campaign_id}/report/creators",
    response=CreatorFiguresPage,
    summary="The campaign's insights per creator, most viewed first",
)
def report_creators(
    request: HttpRequest, campaign_id: Id, page: Query[PageParams], region: str = ""
):
    """Each creator's totals and views-weighted rates over their posts' latest figures."""
    campaign = _campaign(request, campaign_id)
    creators_of = rollups.by_creator(
        campaign, _region(campaign, region), rollups.SUMS, rollups.WEIGHTED
    )
    found = page_of(creators_of, page)
    # Deleted creators included: their posts' figures are the campaign's history.
    creators = scoped(Creator.with_deleted.all(), workspace_of(request)).in_bulk(
        [row["creator_id"] for row in found["items"]]
    )
    items = [
        _creator_figures(rollups.with_rates(row), creators[row["creator_id"]])
        for row in found["items"]
    ]
    return {"items": items, "count": found["count"]}


def _creator_figures(row: dict[str, Any], creator: Creator) -> dict[str, Any]:
    return {**row, "handle": creator.handle, "name": creator.name}


@router.get(
    "/posts/{post_id}/insights",
    response=PostInsightsOut,
    summary="A post's latest insights per region, and their history",
)
def post_insights(request: HttpRequest, post_id: Id, region: str = ""):
    """`latest`: one entry per region TikTok reported the post in. `history`: every
    snapshot, oldest first (only `region`'s when given)."""
    post = get_for_workspace(Post, workspace_of(request), pk=post_id)
    history = MetricSnapshot.objects.filter(post=post)
    if region:
        history = history.filter(country_code=region.upper())
    return {
        "post_id": post.pk,
        "video_id": post.video_id,
        "campaign_id": post.campaign_id,
        "latest": [_latest(row) for row in rollups.post_latest(post).values()],
        "history": [
            {**_figures(snap), "region": snap.country_code, "fetched_at": snap.fetched_at}
            for snap in history
        ],
    }


def _latest(row: PostInsights) -> dict[str, Any]:
    keep = ("as_of", "first_reported_at", "final", "final_at")
    details = row.details
    return {
        **_figures(row),
        **{name: getattr(row, name) for name in keep},
        "region": row.country_code,
        "audience": details["distributions"],
        "views_by_source": details["views_by_source"],
        "retention": details["retention"],
        "anchor_metrics": details["anchor_metrics"],
    }


@router.post(
    "/campaigns/{campaign_id}/insights/sync",
    response={202: InsightsSyncOut},
    summary="Read the campaign's insights from TikTok now",
)
def sync_insights(request: HttpRequest, campaign_id: Id):
    """One report read per TikTok campaign object behind the campaign's linked posts, per
    target country, per page; runs in the background. The scheduler does the same every
    6 hours."""
    state = services.request_sync(_campaign(request, campaign_id))
    return Status(202, sync_state(InsightsSyncOut, state))


@router.get(
    "/campaigns/{campaign_id}/insights/sync",
    response=InsightsSyncOut,
    summary="The campaign's last insights sync",
)
def sync_status(request: HttpRequest, campaign_id: Id):
    return sync_state(InsightsSyncOut, rollups.sync_state(_campaign(request, campaign_id)))
