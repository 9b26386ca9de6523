"""What the report shows, named once: total figures, per-post columns and charts.

The page, the CSV and the XLSX export all list the same `TOTALS` from the same rollup, so
an export always carries the figures the page shows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from inviteflow.insights import charts, formats
from inviteflow.insights.models import Breakdown, MetricSnapshot, PostInsights
from inviteflow.insights.rollups import Bucket, Report


def duration(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 3600:
        return f"{value / 3600:,.1f} h"
    return f"{value / 60:.1f} min" if value >= 60 else f"{value:.0f} s"


SHOW: dict[str, Callable[[Any], str]] = {
    "count": formats.count,
    "percent": formats.percent,
    "seconds": formats.seconds,
    "duration": duration,
    "text": lambda value: "" if value is None else str(value),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # count | percent | seconds | duration | text

    def show(self, value: Any) -> str:
        return SHOW[self.kind](value)


TOTALS = [
    Figure("posts", "Posts reported", "count"),
    Figure("video_views", "Video views", "count"),
    Figure("views_organic", "Organic views", "count"),
    Figure("views_paid", "Paid views", "count"),
    Figure("reach", "Reach", "count"),
    Figure("likes", "Likes", "count"),
    Figure("comments", "Comments", "count"),
    Figure("shares", "Shares", "count"),
    Figure("favorites", "Saves", "count"),
    Figure("engagement_count", "Engagements", "count"),
    Figure("engagement_rate", "Engagement rate", "percent"),
    Figure("video_completion_rate", "Completion rate", "percent"),
    Figure("average_view_time", "Average view time", "seconds"),
    Figure("total_play_time", "Total watch time", "duration"),
    Figure("two_second_view_rate", "2-second view rate", "percent"),
    Figure("six_second_view_rate", "6-second view rate", "percent"),
    Figure("final_posts", "Posts TikTok no longer reports (final)", "count"),
]
HEADLINE = (
    "video_views",
    "reach",
    "engagement_rate",
    "video_completion_rate",
    "average_view_time",
    "total_play_time",
)
METRIC_COLUMNS = [
    figure
    for figure in TOTALS
    if figure.key not in ("posts", "final_posts", "views_organic", "views_paid")
]


def total_rows(totals: dict[str, Any]) -> list[tuple[Figure, Any]]:
    return [(figure, totals.get(figure.key)) for figure in TOTALS]


# -- Charts ---------------------------------------------------------------------------------

AUDIENCE_TITLES = {
    "gender": "Audience by gender",
    "age": "Audience by age",
    "country": "Audience by country",
    "device": "Audience by device",
}
Label = Callable[[str], str]


def _share_bars(buckets: Sequence[Bucket], label: Label = str) -> list[tuple[str, float]]:
    return [(label(bucket.key), bucket.share) for bucket in buckets]


def campaign_charts(report: Report) -> list[charts.Chart]:
    """Views over time, retention, views by source and audience of the campaign."""
    points = [(snap.taken_at.timestamp(), float(snap.video_views)) for snap in report.trend]
    curve = [(int(b.key) / 100, b.share) for b in report.breakdowns.get("retention", [])]
    return [
        charts.views_over_time("views-over-time", "Video views over time", points),
        charts.retention_chart(
            "campaign-retention", "Retention by share of video", curve, lambda x: f"{x * 100:.0f} %"
        ),
        *breakdown_charts(report.breakdowns, "campaign"),
    ]


def breakdown_charts(breakdowns: dict[str, list[Bucket]], prefix: str) -> list[charts.Chart]:
    """Views by source (counts), then the audience bars (shares)."""
    sources = [(_source_label(b.key), b.views) for b in breakdowns.get("source", [])]
    found = [
        charts.bar_chart(
            f"{prefix}-sources",
            "Video views by source",
            sources,
            formats.count,
            ("Source", "Views"),
        )
    ]
    for dimension, title in AUDIENCE_TITLES.items():
        bars = _share_bars(breakdowns.get(dimension, []), _audience_label(dimension))
        found.append(
            charts.bar_chart(
                f"{prefix}-{dimension}",
                title,
                bars,
                formats.percent,
                (Breakdown.Dimension(dimension).label, "Share"),
            )
        )
    return found


def post_charts(insights: PostInsights, history: Sequence[MetricSnapshot]) -> list[charts.Chart]:
    """One post: views over time from its snapshots, retention, sources and audience."""
    points = [
        (s.fetched_at.timestamp(), float(s.video_views))
        for s in history
        if s.video_views is not None
    ]
    # Unchanged figures are not stored again: the line runs on to their latest confirmation.
    confirmed = insights.as_of.timestamp()
    if insights.video_views is not None and points and confirmed > points[-1][0]:
        points.append((confirmed, float(insights.video_views)))
    details = insights.details
    buckets = {
        dimension: [Bucket(b["key"], b["share"]) for b in found]
        for dimension, found in details["distributions"].items()
    }
    views = insights.video_views or 0
    buckets["source"] = [
        Bucket(source, count / views if views else 0.0, float(count))
        for source, count in sorted(details["views_by_source"].items(), key=lambda kv: -kv[1])
    ]
    curve = [(float(second), share) for second, share in enumerate(details["retention"])]
    return [
        charts.views_over_time("post-views", "Video views over time", points),
        charts.retention_chart(
            "post-retention", "Retention by second", curve, lambda x: f"{x:.0f} s"
        ),
        *breakdown_charts(buckets, "post"),
    ]


def _audience_label(dimension: str) -> Label:
    if dimension == "gender":
        return lambda key: key.capitalize()
    if dimension == "device":
        return lambda key: {"ios": "iOS", "android": "Android"}.get(key.lower(), key)
    return str


def _source_label(key: str) -> str:
    return key.replace("_", " ").capitalize().replace("For you", "For You")
