"""Read side of insights: a campaign's report in one region, aggregated by the database.

Totals are sums over the posts' latest figures. Rates are never averaged across posts:
completion rate, average view time and the 2 s / 6 s view rates are weighted by views (each
over the posts that reported the rate), and engagement rate is total engagement ÷ total
views. Distributions are weighted by views and renormalised to sum to 1; the retention curve
is the views-weighted mean at 0 %, 10 %, … 100 % of each video. Every figure carries the time
TikTok reported it ("as of"). A fixed number of queries, whatever the number of posts; the
per-creator and per-post tables are querysets for the caller to paginate.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet, Sum

from inviteflow.campaigns.models import Campaign
from inviteflow.insights.models import (
    Breakdown,
    CampaignSnapshot,
    InsightsSync,
    MetricSnapshot,
    PostInsights,
)
from inviteflow.insights.sync import regions_of
from inviteflow.posts.models import Post

SUMS = (
    "video_views",
    "views_organic",
    "views_paid",
    "reach",
    "likes",
    "comments",
    "shares",
    "favorites",
    "engagement_count",
    "total_play_time",
)
WEIGHTED = (
    "video_completion_rate",
    "average_view_time",
    "two_second_view_rate",
    "six_second_view_rate",
)
CREATOR_SUMS = ("video_views", "reach", "engagement_count")  # what the creator table shows
CREATOR_WEIGHTED = ("video_completion_rate", "average_view_time")
AUDIENCE = ("gender", "age", "country", "device", "locale", "language", "interest")


def _weighted(field: str) -> dict[str, Any]:
    """Σ field × views and Σ views, over the posts that reported both."""
    both = Q(**{f"{field}__isnull": False, "video_views__isnull": False})
    return {
        f"w_{field}": Sum(F(field) * F("video_views"), filter=both, output_field=FloatField()),
        f"v_{field}": Sum("video_views", filter=both),
    }


def _engagement() -> dict[str, Any]:
    both = Q(engagement_count__isnull=False, video_views__isnull=False)
    return {
        "w_engagement_rate": Sum("engagement_count", filter=both),
        "v_engagement_rate": Sum("video_views", filter=both),
    }


def figures(sums: tuple[str, ...] = SUMS, weighted: tuple[str, ...] = WEIGHTED) -> dict[str, Any]:
    """The aggregates behind totals, per campaign or per creator (named apart from fields,
    which the weighted sums still read)."""
    found = {f"sum_{name}": Sum(name) for name in sums}
    for field in weighted:
        found.update(_weighted(field))
    return {
        **found,
        **_engagement(),
        "posts": Count("id"),
        "final_posts": Count("id", filter=Q(final=True)),
        "max_as_of": Max("as_of"),
        "min_as_of": Min("as_of"),
    }


PREFIXES = ("sum_", "w_", "v_", "max_", "min_")


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """Turn the sums of `figures()` into totals and rates; None where no post reported one."""
    out = {key: value for key, value in row.items() if not key.startswith(PREFIXES)}
    out["as_of"], out["oldest_as_of"] = row["max_as_of"], row["min_as_of"]
    for name in SUMS:
        if f"sum_{name}" in row:
            out[name] = row[f"sum_{name}"] or 0
    for field in (*WEIGHTED, "engagement_rate"):
        weight = row.get(f"v_{field}")
        out[field] = row[f"w_{field}"] / weight if weight else None
    return out


def insights_of(campaign: Campaign, region: str) -> QuerySet[PostInsights]:
    return PostInsights.objects.filter(campaign=campaign, country_code=region)


def regions(campaign: Campaign) -> list[str]:
    """The campaign's target regions, then any other region a sync recorded totals for
    (targets change): read from the few campaign snapshots, not the many posts."""
    found = CampaignSnapshot.objects.filter(campaign=campaign).order_by()
    synced = sorted(found.values_list("country_code", flat=True).distinct())
    targets = regions_of(campaign)
    return targets + [code for code in synced if code not in targets]


def totals(campaign: Campaign, region: str) -> dict[str, Any]:
    """Sums and rates over the posts' latest figures; `creators` counts who has figures."""
    found = insights_of(campaign, region).aggregate(
        **figures(), creators=Count("creator_id", distinct=True)
    )
    return with_rates(found)


def posts_waiting(campaign: Campaign, reported: int) -> int:
    """Linked posts TikTok has not reported yet (it takes about 48 h), given how many it has."""
    linked = Post.objects.filter(campaign=campaign).exclude(linked_via="").count()
    return max(0, linked - reported)


@dataclass(frozen=True)
class Bucket:
    key: str
    share: float  # 0–1
    views: float = 0.0  # views behind it (sources: the source's views)


def breakdowns(campaign: Campaign, region: str) -> dict[str, list[Bucket]]:
    """Audience distributions, views by source and the retention curve, in one query."""
    rows = (
        Breakdown.objects.filter(campaign=campaign, country_code=region)
        .values("dimension", "key")
        .annotate(
            weighted=Sum("weighted"), views=Sum("views"), shares=Sum("shares"), posts=Sum("posts")
        )
        .order_by()
    )
    by_dimension: dict[str, list[Any]] = {}
    for row in rows:
        by_dimension.setdefault(row["dimension"], []).append(row)
    return {dimension: _buckets(dimension, found) for dimension, found in by_dimension.items()}


def _buckets(dimension: str, rows: list[dict[str, Any]]) -> list[Bucket]:
    if dimension == "retention":
        points = [Bucket(r["key"], _mean(r), r["views"]) for r in rows]
        return sorted(points, key=lambda bucket: int(bucket.key))
    weighted = sum(row["weighted"] for row in rows)
    if weighted:  # views-weighted, renormalised to sum to 1
        buckets = [Bucket(r["key"], r["weighted"] / weighted, r["weighted"]) for r in rows]
    else:  # no views anywhere yet: each post counts the same
        shares = sum(row["shares"] for row in rows) or 1.0
        buckets = [Bucket(r["key"], r["shares"] / shares, 0.0) for r in rows]
    return sorted(buckets, key=lambda bucket: (-bucket.share, bucket.key))


def _mean(row: dict[str, Any]) -> float:
    return row["weighted"] / row["views"] if row["views"] else row["shares"] / row["posts"]


def by_creator(
    campaign: Campaign,
    region: str,
    sums: tuple[str, ...] = CREATOR_SUMS,
    weighted: tuple[str, ...] = CREATOR_WEIGHTED,
) -> QuerySet[PostInsights, Any]:
    """One row of `figures()` per creator, most viewed first (rates: `with_rates`); by
    default only what the page's creator table shows."""
    return (
        insights_of(campaign, region)
        .values("creator_id")
        .annotate(**figures(sums, weighted))
        .order_by(F("sum_video_views").desc(nulls_last=True), "creator_id")
    )


def by_post(campaign: Campaign, region: str) -> QuerySet[PostInsights]:
    """Each post's latest figures, most viewed first (an index holds that order; posts
    TikTok sent no view count for sort first on PostgreSQL, last on SQLite)."""
    return (
        insights_of(campaign, region)
        .select_related("post", "creator")
        .order_by("-video_views", "-id")
    )


def trend(campaign: Campaign, region: str) -> list[CampaignSnapshot]:
    """The campaign's totals after each sync: views over time."""
    return list(CampaignSnapshot.objects.filter(campaign=campaign, country_code=region))


def sync_state(campaign: Campaign) -> InsightsSync | None:
    return InsightsSync.objects.filter(campaign=campaign).first()


@dataclass
class Report:
    """Everything the report page, its exports and the API show for one region."""

    campaign: Campaign
    region: str
    regions: list[str]
    totals: dict[str, Any]
    breakdowns: dict[str, list[Bucket]]
    trend: list[CampaignSnapshot]
    waiting: int
    sync: InsightsSync | None

    @property
    def as_of(self) -> datetime | None:
        return self.totals.get("as_of")

    @property
    def audience(self) -> dict[str, list[Bucket]]:
        return {dim: self.breakdowns[dim] for dim in AUDIENCE if dim in self.breakdowns}


def report(campaign: Campaign, region: str | None = None) -> Report:
    """The campaign's report in `region` (default: its first target region)."""
    known = regions(campaign)
    region = region if region in known else known[0]
    found = totals(campaign, region)
    return Report(
        campaign=campaign,
        region=region,
        regions=known,
        totals=found,
        breakdowns=breakdowns(campaign, region),
        trend=trend(campaign, region),
        waiting=posts_waiting(campaign, found["posts"]),
        sync=sync_state(campaign),
    )


# -- One post -------------------------------------------------------------------------------


def post_latest(post: Post) -> dict[str, PostInsights]:
    """The post's latest figures per region, its campaign's target regions first."""
    found = {
        row.country_code: row
        for row in PostInsights.objects.filter(post=post).select_related("snapshot")
    }
    order = regions_of(post.campaign)
    rank = {code: index for index, code in enumerate(order)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(order)), item[0])))


def post_history(post: Post, region: str) -> list[MetricSnapshot]:
    """Every snapshot of the post in `region`, oldest first (a few per day, ~21 days)."""
    return list(MetricSnapshot.objects.filter(post=post, country_code=region))
