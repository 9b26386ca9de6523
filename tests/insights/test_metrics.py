"""A report entry in every shape the contract records becomes the same figures."""

import json
from pathlib import Path

import pytest

from inviteflow.insights import metrics
from inviteflow.tiktok.schemas import ReportPage, VideoMetrics

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tiktok"


def video_from(name: str) -> VideoMetrics:
    data = json.loads((FIXTURES / name).read_text())["data"]
    return ReportPage.model_validate(data).videos[0]


def test_views_by_source_array_and_comma_separated_retention():
    video = video_from("report_views_by_source_array.json")
    latest = metrics.latest(video)
    assert video.id == "7683390748473003277"
    assert latest["video_views"] == 25000
    assert latest["views_by_source"] == {"for_you": 20000, "search": 1000}
    assert latest["retention"] == [1.0, 0.82, 0.61, 0.4]
    assert latest["distributions"] == {"gender": [{"key": "FEMALE", "share": 0.62}]}


def test_object_shape_gives_the_same_figures():
    latest = metrics.latest(video_from("report_views_by_source_object_s7_3.json"))
    assert latest["video_completion_rate"] == 0.31  # sent as a string
    assert latest["engagement_count"] == 1257
    assert latest["two_second_view_rate"] == 0.82 and latest["six_second_view_rate"] == 0.55
    assert latest["views_by_source"]["personal_profile"] == 2500


def test_retention_as_json_string():
    assert metrics.retention(video_from("report_retention_json_string.json")) == [1.0, 0.5, 0.25]


def test_percent_scales_become_ratios():
    video = VideoMetrics.model_validate(
        {
            "video_id": "1",
            "video_views": 100,
            "engagement_rate": 12.5,
            "video_view_retention": [100, 50],
            "audience_genders_distribution": [
                {"gender": "FEMALE", "percentage": 60},
                {"gender": "MALE", "percentage": 40},
            ],
        }
    )
    latest = metrics.latest(video)
    assert latest["engagement_rate"] == pytest.approx(0.125)
    assert latest["retention"] == [1.0, 0.5]
    assert [b["share"] for b in latest["distributions"]["gender"]] == [0.6, 0.4]


def test_missing_figures_stay_missing_and_engagement_count_follows_its_definition():
    latest = metrics.latest(
        VideoMetrics.model_validate({"video_id": "1", "likes": 10, "comments": 2, "shares": 1})
    )
    assert latest["video_views"] is None and latest["video_completion_rate"] is None
    assert latest["engagement_count"] == 13


def test_resample_spreads_any_length_over_eleven_points():
    assert metrics.resample([1.0, 0.0]) == pytest.approx([1 - i / 10 for i in range(11)])
    assert metrics.resample([0.7]) == [0.7] * 11
    assert metrics.resample([]) == []


def test_breakdown_rows_weigh_by_views():
    latest = metrics.latest(
        VideoMetrics.model_validate(
            {
                "video_id": "1",
                "video_views": 200,
                "video_view_retention": [1.0, 0.5],
                "video_views_by_source": {"for_you": 150, "search": 50},
                "audience_device_distribution": [
                    {"device": "ios", "percentage": 0.25},
                    {"device": "android", "percentage": 0.75},
                ],
            }
        )
    )
    rows = {
        (dim, key): (share, weighted) for dim, key, share, weighted in metrics.breakdown(latest)
    }
    assert rows["device", "ios"] == (0.25, 50.0)
    assert rows["source", "for_you"] == (0.75, 150.0)
    assert rows["retention", "0"] == (1.0, 200.0)
    assert rows["retention", "100"] == (0.5, 100.0)
    assert len([key for key in rows if key[0] == "retention"]) == 11
