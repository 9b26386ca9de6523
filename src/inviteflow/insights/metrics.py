"""What one report entry (§7.3 `VideoMetrics`) becomes in inviteflow: headline columns,
distributions, views by source, a retention curve and the breakdown rows rollups add up.

Pure functions. The wire's alternative shapes are already normalised by tiktok.schemas; what
is left here is scale: TikTok never documented whether rates and distribution percentages
are 0–1 or 0–100 (§12.9), so a rate above 1 or a distribution summing past 1.5 is read as a
percentage. `engagement_count`, when missing, is likes + comments + shares (its definition).
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from inviteflow.tiktok.schemas import Share, VideoMetrics

# our column -> VideoMetrics field
HEADLINE = {
    "video_views": "video_views",
    "views_organic": "video_views_organic",
    "views_paid": "video_views_paid",
    "reach": "reach",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "favorites": "favorites",
    "engagement_count": "engagement_count",
    "engagement_rate": "engagement_rate",
    "video_completion_rate": "video_completion_rate",
    "average_view_time": "average_view_time",
    "total_play_time": "total_play_time",
    "two_second_view_rate": "two_seconds_views",
    "six_second_view_rate": "six_seconds_views",
}
RATES = ("engagement_rate", "video_completion_rate", "two_second_view_rate", "six_second_view_rate")
COUNTS = tuple(name for name in HEADLINE if name not in RATES and name != "average_view_time")
# our dimension -> VideoMetrics field
DISTRIBUTIONS = {
    "gender": "audience_genders_distribution",
    "age": "audience_age_distribution",
    "country": "audience_countries_distribution",
    "device": "audience_device_distribution",
    "locale": "audience_locale_distribution",
    "language": "audience_language_distribution",
    "interest": "audience_interest_distribution",
}
RETENTION_STEPS = 10  # the campaign curve: 0 %, 10 %, … 100 % of each video
PERCENT_SCALE_ABOVE = 1.5  # a distribution summing past this was sent in percent


def ratio(value: float | None) -> float | None:
    """A 0–1 ratio, whichever scale TikTok used."""
    if value is None:
        return None
    return value / 100 if value > 1 else value


def headline(video: VideoMetrics) -> dict[str, Any]:
    values = {column: getattr(video, field) for column, field in HEADLINE.items()}
    for name in RATES:
        values[name] = ratio(values[name])
    parts = [values["likes"], values["comments"], values["shares"]]
    if values["engagement_count"] is None and None not in parts:
        values["engagement_count"] = sum(parts)
    return values


def distribution(shares: Sequence[Share]) -> list[dict[str, Any]]:
    total = sum(share.percentage for share in shares)
    scale = 100.0 if total > PERCENT_SCALE_ABOVE else 1.0
    return [{"key": share.key, "share": share.percentage / scale} for share in shares]


def distributions(video: VideoMetrics) -> dict[str, list[dict[str, Any]]]:
    found = {dim: distribution(getattr(video, field)) for dim, field in DISTRIBUTIONS.items()}
    return {dim: buckets for dim, buckets in found.items() if buckets}


def retention(video: VideoMetrics) -> list[float]:
    curve = [float(point) for point in video.video_view_retention]
    if any(point > 1 for point in curve):
        curve = [point / 100 for point in curve]
    return curve


def resample(curve: Sequence[float], steps: int = RETENTION_STEPS) -> list[float]:
    """The curve at 0, 1/steps, … 1 of its length (linear), so videos of any length add up."""
    if not curve:
        return []
    last = len(curve) - 1
    points = []
    for step in range(steps + 1):
        at = last * step / steps
        low = int(at)
        high = min(low + 1, last)
        points.append(curve[low] + (curve[high] - curve[low]) * (at - low))
    return points


def anchor_metrics(video: VideoMetrics) -> dict[str, int]:
    return video.anchor_metrics.model_dump(exclude_none=True)


def raw(video: VideoMetrics) -> dict[str, Any]:
    """The entry as received (after shape normalisation), without the fields it did not send."""
    return video.model_dump(mode="json", exclude_defaults=True)


def details(video: VideoMetrics) -> dict[str, Any]:
    """What an entry holds beyond the headline figures."""
    return {
        "distributions": distributions(video),
        "views_by_source": dict(video.video_views_by_source),
        "retention": retention(video),
        "anchor_metrics": anchor_metrics(video),
    }


def latest(video: VideoMetrics) -> dict[str, Any]:
    """Headline figures and details of one entry."""
    return {**headline(video), **details(video)}


def digest(values: dict[str, Any]) -> str:
    """A fingerprint of `latest` values: equal figures, equal digest."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def summed_breakdown(posts: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(dimension, key) -> {weighted, views, shares, posts} summed over posts' `latest`."""
    sums: dict[tuple[str, str], dict[str, Any]] = {}
    for values in posts:
        for dimension, key, share, weighted in breakdown(values):
            found = sums.setdefault(
                (dimension, key), {"weighted": 0.0, "views": 0, "shares": 0.0, "posts": 0}
            )
            found["weighted"] += weighted
            found["views"] += values["video_views"] or 0
            found["shares"] += share
            found["posts"] += 1
    return sums


def breakdown(values: dict[str, Any]) -> Iterator[tuple[str, str, float, float]]:
    """(dimension, key, share, weighted) rows of one post's `latest` values."""
    views = values["video_views"] or 0
    for dimension, buckets in values["distributions"].items():
        for bucket in buckets:
            yield dimension, str(bucket["key"])[:64], bucket["share"], bucket["share"] * views
    for source, source_views in values["views_by_source"].items():
        share = source_views / views if views else 0.0
        yield "source", str(source)[:64], share, float(source_views)
    for step, point in enumerate(resample(values["retention"])):
        yield "retention", str(step * 100 // RETENTION_STEPS), point, point * views
