"""Acceptance 1, against the sandbox over loopback HTTP, through the real chain: invite links
provisioned on TikTok, posts published through them, attributed by reconciliation once the
sandbox clock passes TikTok's reporting delay, then insights synced on a thread pool.

After the clock advances, posts have snapshots; campaign totals equal the sum over posts;
weighted rates equal hand-computed weighted values; distributions sum to 1; a post past
the tracking window is final with its values kept; and every sync makes one report call
per TikTok campaign object with posts still reported, none for the others."""

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.insights import rollups
from inviteflow.insights.models import CampaignSnapshot, InsightsSync, MetricSnapshot, PostInsights
from inviteflow.insights.tasks import sync_campaign_insights
from inviteflow.links.tasks import provision_links
from inviteflow.posts.models import Post
from inviteflow.posts.tasks import sync_campaign_posts
from tests.insights.conftest import report_calls, tiktok_campaign

pytestmark = pytest.mark.django_db(transaction=True)
DAY = 24


def latest_raw(campaign) -> dict[int, dict]:
    """post id -> the report entry of its latest snapshot, as TikTok sent it."""
    snapshots = MetricSnapshot.objects.filter(post__campaign=campaign).order_by("fetched_at", "id")
    return {snap.post_id: snap.raw for snap in snapshots}


def weighted(entries, field) -> float:
    return sum(e[field] * e["video_views"] for e in entries) / sum(
        e["video_views"] for e in entries
    )


def assert_report_matches(campaign, entries):
    report = rollups.report(campaign)
    totals = report.totals
    for name in (
        "video_views",
        "reach",
        "likes",
        "comments",
        "shares",
        "favorites",
        "engagement_count",
        "total_play_time",
    ):
        assert totals[name] == sum(e[name] for e in entries), name
    assert totals["video_completion_rate"] == pytest.approx(
        weighted(entries, "video_completion_rate")
    )
    assert totals["average_view_time"] == pytest.approx(weighted(entries, "average_view_time"))
    assert totals["engagement_rate"] == pytest.approx(
        sum(e["engagement_count"] for e in entries) / totals["video_views"]
    )
    female = sum(
        next(b["percentage"] for b in e["audience_genders_distribution"] if b["key"] == "FEMALE")
        * e["video_views"]
        for e in entries
    )
    gender = {b.key: b.share for b in report.audience["gender"]}
    assert gender["FEMALE"] == pytest.approx(female / totals["video_views"])
    assert set(report.audience) == {"gender", "age", "country", "device"}
    for buckets in report.audience.values():
        assert sum(b.share for b in buckets) == pytest.approx(1.0)
    sources = sum(b.views for b in report.breakdowns["source"])
    assert sources == pytest.approx(totals["video_views"])
    return report


def test_insights_follow_the_sandbox_clock(live_sandbox, tiktok_connected, workspace, settings):
    settings.INSIGHTS_SYNC_CONCURRENCY = 4
    campaign = tiktok_campaign(workspace, ["ada", "bob", "cy"])
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    provision_links.call(campaign.pk)
    links = {link.creator.handle: link for link in campaign.invite_links.all()}
    assert all(link.url for link in links.values())
    for handle, count in (("ada", 2), ("bob", 3)):  # cy publishes nothing
        for _ in range(count):
            live_sandbox.publish(handle, invite_link=links[handle].url)

    sync_campaign_insights.call(campaign.pk)  # nothing attributed yet: no call at all
    assert report_calls(live_sandbox) == 0

    live_sandbox.advance(49)  # TikTok surfaces linked videos after ~48 h
    sync_campaign_posts.call(campaign.pk, True)
    posts = Post.objects.filter(campaign=campaign)
    assert posts.count() == 5

    result = sync_campaign_insights.call(campaign.pk)
    assert report_calls(live_sandbox) == 2  # ada's and bob's objects; cy's has no post
    assert result["posts_updated"] == 5 and not result["error"]
    assert all(post.metric_snapshots.count() == 1 for post in posts)
    first = latest_raw(campaign)
    assert_report_matches(campaign, list(first.values()))

    live_sandbox.advance(DAY)
    sync_campaign_insights.call(campaign.pk)
    assert report_calls(live_sandbox) == 4
    assert all(post.metric_snapshots.count() == 2 for post in posts)
    second = latest_raw(campaign)
    assert all(second[p]["video_views"] >= first[p]["video_views"] for p in first)
    report = assert_report_matches(campaign, list(second.values()))
    assert [point.video_views for point in report.trend] == [
        sum(e["video_views"] for e in first.values()),
        sum(e["video_views"] for e in second.values()),
    ]

    live_sandbox.advance(21 * DAY)  # past TikTok's tracking window
    result = sync_campaign_insights.call(campaign.pk)
    assert report_calls(live_sandbox) == 6  # both objects asked once more: nothing reported
    assert result["posts_finalized"] == 5
    assert all(post.metric_snapshots.count() == 2 for post in posts)
    for row in PostInsights.objects.filter(campaign=campaign):
        assert row.final and row.video_views == second[row.post_id]["video_views"]
    assert_report_matches(campaign, list(second.values()))  # last values kept
    assert rollups.totals(campaign, "US")["final_posts"] == 5

    sync_campaign_insights.call(campaign.pk)  # everything final: TikTok is not asked again
    assert report_calls(live_sandbox) == 6
    assert CampaignSnapshot.objects.filter(campaign=campaign).count() == 3
    state = InsightsSync.objects.get(campaign=campaign)
    assert state.finished_at and not state.running and not state.last_error
