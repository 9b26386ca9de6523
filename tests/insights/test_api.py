"""/api/v1 insights endpoints: shapes, figures, and who may read or change what."""

import pytest

from inviteflow.insights import rollups
from inviteflow.insights.models import InsightsSync
from inviteflow.posts.models import Post
from tests.conftest import ApiClient
from tests.insights.support import campaign_with_posts, report_everything


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 2, "bob": 1})
    report_everything(campaign)
    return campaign


def reads(campaign) -> list[str]:
    post = Post.objects.filter(campaign=campaign).first()
    base = f"/campaigns/{campaign.pk}"
    return [
        f"{base}/report",
        f"{base}/report/posts",
        f"{base}/report/creators",
        f"{base}/insights/sync",
        f"/posts/{post.pk}/insights",
    ]


def test_report_has_totals_weighted_rates_and_distributions(api, campaign):
    body = api.get(f"/campaigns/{campaign.pk}/report").json()
    totals = rollups.totals(campaign, "US")
    assert body["region"] == "US" and body["regions"] == ["US"]
    assert body["totals"]["video_views"] == 6000 and body["totals"]["posts"] == 3
    assert body["rates"]["video_completion_rate"] == pytest.approx(0.3)
    assert body["rates"]["engagement_rate"] == pytest.approx(totals["engagement_rate"])
    assert body["as_of"].startswith("2026-05-10T12:00:00")
    for buckets in body["audience"].values():
        assert sum(bucket["share"] for bucket in buckets) == pytest.approx(1.0)
    assert sum(source["views"] for source in body["views_by_source"]) == 6000
    assert [point["at_percent"] for point in body["retention"]] == list(range(0, 101, 10))
    assert body["posts_waiting"] == 0 and body["views_over_time"] == []


def test_report_lists_paginate(api, campaign):
    posts = api.get(f"/campaigns/{campaign.pk}/report/posts?limit=2").json()
    assert posts["count"] == 3 and [p["video_views"] for p in posts["items"]] == [3000, 2000]
    assert posts["items"][0]["region"] == "US" and posts["items"][0]["final"] is False
    creators = api.get(f"/campaigns/{campaign.pk}/report/creators").json()
    assert creators["count"] == 2
    assert {c["handle"]: (c["posts"], c["video_views"]) for c in creators["items"]} == {
        "ada": (2, 3000),
        "bob": (1, 3000),
    }
    assert api.get(f"/campaigns/{campaign.pk}/report/posts?limit=0").status_code == 422


def test_post_insights_latest_and_history(api, campaign):
    post = Post.objects.filter(campaign=campaign).order_by("id").first()
    body = api.get(f"/posts/{post.pk}/insights").json()
    assert body["video_id"] == post.video_id and body["campaign_id"] == campaign.pk
    [latest] = body["latest"]
    assert latest["region"] == "US" and latest["video_views"] == 1000
    assert latest["audience"]["gender"][0] == {"key": "FEMALE", "share": 0.6}
    assert latest["retention"][0] == 1.0 and latest["views_by_source"]["search"] == 200
    assert [snap["video_views"] for snap in body["history"]] == [1000]
    assert api.get(f"/posts/{post.pk}/insights?region=GB").json()["history"] == []


def test_sync_is_accepted_and_its_state_readable(api, campaign):
    response = api.post(f"/campaigns/{campaign.pk}/insights/sync")
    assert response.status_code == 202 and response.json()["queued"] is True
    assert api.get(f"/campaigns/{campaign.pk}/insights/sync").json()["requested_at"]


def test_read_only_key_reads_but_may_not_sync(readonly_api, campaign):
    for path in reads(campaign):
        assert readonly_api.get(path).status_code == 200, path
    response = readonly_api.post(f"/campaigns/{campaign.pk}/insights/sync")
    assert response.status_code == 403 and response.json()["code"] == "read_only_key"
    assert not InsightsSync.objects.exists()


def test_another_workspaces_key_gets_404_and_changes_nothing(outsider_api, campaign):
    for path in reads(campaign):
        response = outsider_api.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    assert outsider_api.post(f"/campaigns/{campaign.pk}/insights/sync").status_code == 404
    assert not InsightsSync.objects.exists()


def test_unknown_key_is_401(campaign):
    assert ApiClient("nope").get(f"/campaigns/{campaign.pk}/report").status_code == 401
