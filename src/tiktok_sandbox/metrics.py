"""Deterministic synthetic insights for a video.

Insights must look alive in a demo (they grow after publishing and level off), be reproducible in
tests, and keep the identities the contract states, so a client's maths can be checked against
them: engagement_count = likes + comments + shares; organic + paid = total; rates are 0-1 ratios;
each audience distribution sums to 1; views by source sum to the views. Everything here is a pure
function of (video id, hours since publish), plus the report's country for the country mix.
Hours are whole hours, so figures change like a refreshed report, not on every call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from .clock import DAY_MS, HOUR_MS, to_ms
from .ids import seeded_random

SOURCES = ("for_you", "hashtag", "sound", "personal_profile", "search", "following", "other")
AGES = ("18-24", "25-34", "35-44", "45-54", "55+")
COUNTRIES = ("US", "GB", "CA", "AU", "DE", "FR", "BR", "ID")
COUNT_FIELDS = ("likes", "comments", "shares", "favorites")


@dataclass(frozen=True)
class Traits:
    """What kind of video this is; fixed for a video id."""

    peak_views: int
    growth_hours: float
    paid_share: float
    reach_ratio: float
    rates: dict[str, float]  # per view: likes, comments, shares, favorites
    completion_rate: float
    duration_s: int
    watch_fraction: float
    two_second_rate: float
    six_second_rate: float
    source_weights: tuple[float, ...]
    female_share: float
    age_weights: tuple[float, ...]
    ios_share: float


@lru_cache(maxsize=4096)
def traits(video_id: str) -> Traits:
    rng = seeded_random(video_id)
    two_second_rate = rng.uniform(0.55, 0.9)
    return Traits(
        peak_views=rng.randint(2_000, 400_000),
        growth_hours=rng.uniform(24, 96),
        paid_share=rng.choice((0.0, 0.0, rng.uniform(0.05, 0.35))),
        reach_ratio=rng.uniform(0.6, 0.9),
        rates={
            "likes": rng.uniform(0.03, 0.12),
            "comments": rng.uniform(0.002, 0.01),
            "shares": rng.uniform(0.002, 0.02),
            "favorites": rng.uniform(0.005, 0.03),
        },
        completion_rate=rng.uniform(0.1, 0.5),
        duration_s=rng.randint(10, 60),
        watch_fraction=rng.uniform(0.3, 0.8),
        two_second_rate=two_second_rate,
        six_second_rate=two_second_rate * rng.uniform(0.5, 0.85),
        source_weights=tuple(rng.uniform(0.2, 1.0) * w for w in (8, 1, 1, 1.5, 1, 1.5, 0.5)),
        female_share=rng.uniform(0.3, 0.75),
        age_weights=tuple(rng.uniform(0.3, 1.0) * w for w in (5, 4, 2, 1, 0.5)),
        ios_share=rng.uniform(0.35, 0.7),
    )


def counts(video_id: str, age_ms: int) -> dict[str, int]:
    """Cumulative totals `age_ms` after publishing; non-decreasing in age, saturating."""
    trait = traits(video_id)
    hours = max(0, age_ms // HOUR_MS)
    views = math.floor(trait.peak_views * (1 - math.exp(-hours / trait.growth_hours)))
    totals = {"video_views": views, "reach": math.floor(views * trait.reach_ratio)}
    totals.update({name: math.floor(views * rate) for name, rate in trait.rates.items()})
    return totals


def post_counts(video_id: str, age_ms: int) -> dict[str, int]:
    """The counts shown on a public post (creator video list)."""
    total = counts(video_id, age_ms)
    return {name: total[name] for name in (*COUNT_FIELDS, "video_views")}


def report_metrics(video_id: str, age_ms: int, country_code: str) -> dict[str, Any]:
    """The per-video metrics of `/tto/tcm/report/` (the contract's §7.3 S3 set)."""
    trait = traits(video_id)
    total = counts(video_id, age_ms)
    organic, paid = _split(total, trait.paid_share)
    views = total["video_views"]
    play_time = int(views * trait.duration_s * trait.watch_fraction)
    return {
        **_with_parts("video_views", total, organic, paid),
        **_with_parts("reach", total, organic, paid),
        **{
            key: value
            for name in COUNT_FIELDS
            for key, value in _with_parts(name, total, organic, paid).items()
        },
        "engagement_count": _engagements(total),
        **_engagement_rates(total, organic, paid),
        **_completion_rates(trait),
        "total_play_time": play_time,
        "average_view_time": round(play_time / views, 2) if views else 0.0,
        "average_view_time_organic": round(trait.duration_s * trait.watch_fraction * 1.05, 2),
        "average_view_time_paid": round(trait.duration_s * trait.watch_fraction * 0.85, 2),
        **_view_rates(trait),
        "video_view_retention": retention(trait),
        "video_views_by_source": dict(
            zip(SOURCES, _apportion(views, trait.source_weights), strict=True)
        ),
        **audience(video_id, country_code),
    }


def audience(video_id: str, country_code: str) -> dict[str, list[dict[str, Any]]]:
    trait = traits(video_id)
    return {
        "audience_genders_distribution": _distribution(
            "gender", ("FEMALE", "MALE"), (trait.female_share, 1 - trait.female_share)
        ),
        "audience_age_distribution": _distribution("age", AGES, trait.age_weights),
        "audience_countries_distribution": _countries(video_id, country_code),
        "audience_device_distribution": _distribution(
            "device", ("ios", "android"), (trait.ios_share, 1 - trait.ios_share)
        ),
    }


def retention(trait: Traits) -> list[float]:
    """Share of viewers still watching at each second: 1.0 first, the completion rate last."""
    last = trait.duration_s - 1
    drop = 1 - trait.completion_rate
    return [round(1 - drop * math.sqrt(second / last), 4) for second in range(trait.duration_s)]


def daily_stats(
    video_id: str, create_ms: int, tracked_until_ms: int, now_ms: int, start: date, end: date
) -> list[dict[str, Any]]:
    """One entry per *complete* UTC day in [start, end] with views; quiet days are omitted."""
    days = []
    day = start
    while day <= end:
        entry = _day_entry(video_id, create_ms, tracked_until_ms, now_ms, day)
        if entry:
            days.append(entry)
        day += timedelta(days=1)
    return days


def _day_entry(
    video_id: str, create_ms: int, tracked_until_ms: int, now_ms: int, day: date
) -> dict[str, Any] | None:
    day_start = to_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))
    day_end = day_start + DAY_MS
    if day_end > now_ms or day_end <= create_ms:
        return None  # the day is not over yet (daily stats lag a day), or precedes the video
    after = counts(video_id, min(day_end, tracked_until_ms) - create_ms)
    before = counts(video_id, min(max(day_start, create_ms), tracked_until_ms) - create_ms)
    delta = {name: after[name] - before[name] for name in after}
    if not delta["video_views"]:
        return None
    trait = traits(video_id)
    organic, paid = _split(delta, trait.paid_share)
    entry: dict[str, Any] = {
        "date": day.isoformat(),
        "views": delta["video_views"],
        "video_views_organic": organic["video_views"],
        "video_views_paid": paid["video_views"],
        "video_completion_rate": round(trait.completion_rate, 4),
    }
    for name in COUNT_FIELDS:
        entry.update(_with_parts(name, delta, organic, paid))
    entry.update(_engagement_rates(delta, organic, paid))
    return entry


def _split(total: dict[str, int], paid_share: float) -> tuple[dict[str, int], dict[str, int]]:
    paid = {name: math.floor(value * paid_share) for name, value in total.items()}
    organic = {name: value - paid[name] for name, value in total.items()}
    return organic, paid


def _with_parts(
    name: str, total: dict[str, int], organic: dict[str, int], paid: dict[str, int]
) -> dict[str, int]:
    return {name: total[name], f"{name}_organic": organic[name], f"{name}_paid": paid[name]}


def _engagements(part: dict[str, int]) -> int:
    return part["likes"] + part["comments"] + part["shares"]


def _rate(numerator: int, denominator: int) -> float:
    """A 0-1 ratio (capped: on a one-view day rounding could otherwise push it past 1)."""
    return min(1.0, round(numerator / denominator, 4)) if denominator else 0.0


def _engagement_rates(
    total: dict[str, int], organic: dict[str, int], paid: dict[str, int]
) -> dict[str, float]:
    return {
        "engagement_rate": _rate(_engagements(total), total["video_views"]),
        "engagement_rate_organic": _rate(_engagements(organic), organic["video_views"]),
        "engagement_rate_paid": _rate(_engagements(paid), paid["video_views"]),
    }


def _completion_rates(trait: Traits) -> dict[str, float]:
    rate = trait.completion_rate
    return {
        "video_completion_rate": round(rate, 4),
        "video_completion_rate_organic": round(min(1.0, rate * 1.05), 4),
        "video_completion_rate_paid": round(rate * 0.8, 4),
    }


def _view_rates(trait: Traits) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name, rate in (
        ("two_seconds_views", trait.two_second_rate),
        ("six_seconds_views", trait.six_second_rate),
    ):
        rates[name] = round(rate, 4)
        rates[f"organic_{name}"] = round(min(1.0, rate * 1.03), 4)
        rates[f"paid_{name}"] = round(rate * 0.9, 4)
    return rates


def _distribution(
    key: str, labels: tuple[str, ...], weights: tuple[float, ...]
) -> list[dict[str, Any]]:
    """Shares rounded to 4 places; the last absorbs the rounding so the list sums to 1."""
    total = sum(weights)
    shares = [round(w / total, 4) for w in weights[:-1]]
    shares.append(round(1 - sum(shares), 4))
    return [{key: label, "percentage": share} for label, share in zip(labels, shares, strict=True)]


def _countries(video_id: str, country_code: str) -> list[dict[str, Any]]:
    """The report's own country leads; three others follow."""
    rng = seeded_random(f"{video_id}:{country_code}")
    others = rng.sample([c for c in COUNTRIES if c != country_code], 3)
    weights = sorted((rng.uniform(0.05, 1.0) for _ in others), reverse=True)
    return _distribution("country", (country_code, *others), (sum(weights) + 0.5, *weights))


def _apportion(total: int, weights: tuple[float, ...]) -> list[int]:
    """Split an integer by weights so the parts sum exactly to it (largest remainder)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
