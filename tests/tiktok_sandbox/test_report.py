"""`/tto/tcm/report/`: the contract's identities, growth, surfacing, tracking window, headers."""

from __future__ import annotations

import pytest

from tests.tiktok_sandbox.support import Sandbox
from tiktok_sandbox import metrics

PARTS = ("video_views", "reach", "likes", "comments", "shares", "favorites")
RATES = (
    "engagement_rate",
    "engagement_rate_organic",
    "engagement_rate_paid",
    "video_completion_rate",
    "video_completion_rate_organic",
    "video_completion_rate_paid",
    "two_seconds_views",
    "organic_two_seconds_views",
    "paid_two_seconds_views",
    "six_seconds_views",
    "organic_six_seconds_views",
    "paid_six_seconds_views",
)
DISTRIBUTIONS = (
    "audience_genders_distribution",
    "audience_age_distribution",
    "audience_countries_distribution",
    "audience_device_distribution",
)


def linked_posts(sandbox: Sandbox, count: int = 1, handle: str = "alice") -> tuple[str, list[str]]:
    campaign = sandbox.create_campaign([handle])
    videos = [
        sandbox.publish(handle, invite_link=campaign["invite_link"]).json()["video_id"]
        for _ in range(count)
    ]
    return campaign["campaign_id"], videos


def assert_identities(entry: dict) -> None:
    for name in PARTS:
        assert entry[f"{name}_organic"] + entry[f"{name}_paid"] == entry[name]
    assert entry["engagement_count"] == entry["likes"] + entry["comments"] + entry["shares"]
    assert entry["engagement_rate"] == pytest.approx(
        entry["engagement_count"] / entry["video_views"], abs=1e-4
    )
    assert all(0 <= entry[name] <= 1 for name in RATES)
    for name in DISTRIBUTIONS:
        shares = [item["percentage"] for item in entry[name]]
        assert sum(shares) == pytest.approx(1, abs=1e-6) and all(0 < s < 1 for s in shares)
    assert sum(entry["video_views_by_source"].values()) == entry["video_views"]
    assert set(entry["video_views_by_source"]) == set(metrics.SOURCES)
    retention = entry["video_view_retention"]
    assert retention[0] == 1.0 and retention == sorted(retention, reverse=True)
    assert entry["average_view_time"] == pytest.approx(
        entry["total_play_time"] / entry["video_views"], abs=0.01
    )
    assert isinstance(entry["total_play_time"], int)


def test_report_entries_keep_the_contract_identities(sandbox: Sandbox):
    campaign_id, videos = linked_posts(sandbox, count=3)
    sandbox.advance(60)
    data = sandbox.report(campaign_id, country="GB")["data"]
    assert data["country_code"] == "GB" and data["campaign_type"] == "CAMPAIGN"
    assert data["campaign_channel_type"] == "API_LITE_CAMPAIGN"
    assert [v["video_info"]["video_id"] for v in data["videos"]] == videos
    for entry in data["videos"]:
        assert_identities(entry)
        assert entry["creator_info"] == {"display_name": "Alice", "handle_name": "alice"}
        assert entry["audience_countries_distribution"][0]["country"] == "GB"
        assert "daily_stats" not in entry


def test_identities_hold_for_many_videos_and_ages():
    for n in range(40):
        video_id = str(7_600_000_000_000_000_000 + n * 7919)
        for hours in (1, 5, 30, 200, 600):
            assert_identities(metrics.report_metrics(video_id, hours * 3_600_000, "US"))


def test_metrics_are_deterministic_monotonic_and_saturate():
    video_id = "7634706379634855154"
    series = [metrics.counts(video_id, h * 3_600_000) for h in range(0, 24 * 40, 6)]
    assert series == [metrics.counts(video_id, h * 3_600_000) for h in range(0, 24 * 40, 6)]
    for name in series[0]:
        values = [point[name] for point in series]
        assert values == sorted(values)
    assert series[0]["video_views"] == 0 and series[-1]["video_views"] > 0
    early = series[8]["video_views"] - series[0]["video_views"]
    late = series[-1]["video_views"] - series[-9]["video_views"]
    assert late < early / 10


def test_videos_surface_after_the_delay_and_figures_grow(sandbox: Sandbox):
    campaign_id, _ = linked_posts(sandbox)
    sandbox.advance(47.9)
    assert sandbox.report(campaign_id)["data"]["videos"] == []
    sandbox.advance(0.1)
    first = sandbox.report(campaign_id)["data"]["videos"][0]
    sandbox.advance(72)
    later = sandbox.report(campaign_id)["data"]["videos"][0]
    assert (
        all(later[name] >= first[name] for name in PARTS)
        and later["video_views"] > first["video_views"]
    )


def test_videos_leave_the_report_after_the_tracking_window(sandbox: Sandbox):
    campaign_id, videos = linked_posts(sandbox)
    sandbox.advance(21 * 24 - 1)
    assert len(sandbox.report(campaign_id)["data"]["videos"]) == 1
    sandbox.advance(1)
    data = sandbox.report(campaign_id)["data"]
    assert data["videos"] == [] and data["page_info"]["total_number"] == 0
    campaigns = sandbox.get("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id)["data"]
    assert campaigns["campaigns"][0]["video_ids"] == videos


def test_surface_delay_and_window_are_knobs(make_sandbox):
    sandbox = make_sandbox(surface_delay_hours=0, tracking_window_days=1)
    campaign_id, _ = linked_posts(sandbox)
    assert len(sandbox.report(campaign_id)["data"]["videos"]) == 1
    sandbox.advance(24)
    assert sandbox.report(campaign_id)["data"]["videos"] == []


def test_report_pages(sandbox: Sandbox):
    campaign_id, videos = linked_posts(sandbox, count=5)
    sandbox.advance(49)
    second = sandbox.report(campaign_id, page=2, page_size=2)["data"]
    assert second["page_info"] == {"page": 2, "page_size": 2, "total_number": 5, "total_page": 3}
    assert [v["video_info"]["video_id"] for v in second["videos"]] == videos[2:4]
    assert sandbox.report(campaign_id, page_size=21)["code"] == 40002


def test_country_code_header_is_required_by_default(make_sandbox):
    strict, lenient = make_sandbox(), make_sandbox(require_country_code=False)
    for sandbox in (strict, lenient):
        campaign_id, _ = linked_posts(sandbox)
        params = {"tto_tcm_account_id": sandbox.account_id, "campaign_id": campaign_id}
        answer = sandbox.get("/tto/tcm/report/", **params)
        if sandbox is strict:
            assert answer["code"] == 40002 and "Country-Code" in answer["message"]
        else:
            assert answer["code"] == 0 and answer["data"]["country_code"] == "US"
        assert sandbox.report(campaign_id, country="USA")["code"] == 40002


def test_daily_stats_only_with_both_dates_and_only_for_complete_days(sandbox: Sandbox):
    campaign_id, _ = linked_posts(sandbox)
    sandbox.advance(24 * 3 + 12)  # 2026-05-04 12:00
    entry = sandbox.report(campaign_id, start_date="2026-04-30", end_date="2026-05-10")["data"][
        "videos"
    ][0]
    days = entry["daily_stats"]
    assert [d["date"] for d in days] == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert sum(d["views"] for d in days) <= entry["video_views"]
    for day in days:
        assert day["video_views_organic"] + day["video_views_paid"] == day["views"]
        assert 0 <= day["engagement_rate"] <= 1
    assert sandbox.report(campaign_id, start_date="2026-05-01")["code"] == 40002
    assert (
        sandbox.report(campaign_id, start_date="2026-05-01", end_date="2026-07-15")["code"] == 40002
    )
    assert (
        sandbox.report(campaign_id, start_date="05/01/2026", end_date="2026-05-02")["code"] == 40002
    )
