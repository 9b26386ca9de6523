"""The insights sync against the sandbox, reports read inline: regions, pages, failures,
throttling, the lock, and which campaigns the scheduler picks."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.core.scheduler import REGISTRY
from inviteflow.insights import services, sync
from inviteflow.insights.models import InsightsSync, MetricSnapshot, PostInsights
from inviteflow.insights.tasks import sync_all_insights, sync_campaign_insights
from inviteflow.tiktok.models import TikTokConnection
from tests.insights.conftest import link_directly, publish_as_post, report_calls, tiktok_campaign
from tests.insights.support import campaign_with_posts


@pytest.fixture
def surfaced(live_sandbox, tiktok_connected, workspace, inline_sync):
    """Campaign factory: `posts` per handle published through real sandbox links, surfaced."""

    def make(posts: dict[str, int], **fields):
        campaign = tiktok_campaign(workspace, list(posts), **fields)
        for handle, n in posts.items():
            link = link_directly(campaign, handle)
            for _ in range(n):
                publish_as_post(live_sandbox, link)
        live_sandbox.advance(49)
        return campaign

    return make


def test_every_target_country_is_its_own_report(surfaced, live_sandbox):
    campaign = surfaced({"ada": 1, "bob": 1}, countries=["US", "GB"])
    sync_campaign_insights.call(campaign.pk)
    assert report_calls(live_sandbox) == 4  # 2 objects × 2 regions
    rows = PostInsights.objects.filter(campaign=campaign)
    assert sorted(rows.values_list("country_code", flat=True)) == ["GB", "GB", "US", "US"]
    for row in rows:  # the sandbox leads each region's audience with that region
        assert row.details["distributions"]["country"][0]["key"] == row.country_code
    assert MetricSnapshot.objects.count() == 4


def test_without_target_countries_the_accounts_country_is_used(surfaced, tiktok_connected):
    TikTokConnection.objects.filter(pk=tiktok_connected.pk).update(country="GB")
    campaign = surfaced({"ada": 1}, countries=[])
    assert sync.regions_of(campaign) == ["GB"]
    sync_campaign_insights.call(campaign.pk)
    assert list(PostInsights.objects.values_list("country_code", flat=True)) == ["GB"]


def test_one_call_per_page(surfaced, live_sandbox, settings):
    settings.TIKTOK_REPORT_PAGE_SIZE = 2
    campaign = surfaced({"ada": 5})
    result = sync_campaign_insights.call(campaign.pk)
    assert report_calls(live_sandbox) == 3  # ceil(5 / 2)
    assert result["posts_updated"] == 5 and result["reports"] == 1


def test_a_failing_object_does_not_stop_the_others(surfaced, live_sandbox):
    campaign = surfaced({"ada": 1, "bob": 1})
    campaign.posts.filter(creator__handle="bob").update(tiktok_campaign_id="7100000000000000999")
    result = sync_campaign_insights.call(campaign.pk)
    assert result["posts_updated"] == 1
    assert "7100000000000000999 (US)" in result["error"] and "40007" in result["error"]
    assert InsightsSync.objects.get(campaign=campaign).last_error == result["error"]


def test_throttled_stops_and_comes_back_after_the_cool_down(
    surfaced, live_sandbox, settings, django_capture_on_commit_callbacks
):
    settings.TIKTOK_THROTTLE_PAUSE_S, settings.TIKTOK_THROTTLE_COOLDOWN_S = 30, 120
    campaign = surfaced({"ada": 1, "bob": 1})
    live_sandbox.control.post("/sandbox/throttle", json={"cooldown_s": 120}).raise_for_status()
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_campaign_insights.call(campaign.pk)
    assert "40100" in result["error"] and result["posts_updated"] == 0
    assert report_calls(live_sandbox) == 1  # the first answer stopped the run
    again = DBTaskResult.objects.get(task_path__endswith="sync_campaign_insights")
    # A first throttle answer pauses the installation briefly (not the full cool-down).
    assert timezone.now() + timedelta(seconds=25) < again.run_after
    assert again.run_after < timezone.now() + timedelta(seconds=100)


def test_not_connected_is_recorded(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1})
    result = sync_campaign_insights.call(campaign.pk)
    assert "not connected to TikTok" in result["error"]
    assert "not connected" in InsightsSync.objects.get(campaign=campaign).last_error


def test_one_sync_at_a_time_per_campaign(workspace, django_capture_on_commit_callbacks):
    campaign = campaign_with_posts(workspace, {"ada": 1})
    assert services.start_sync(campaign)
    assert not services.start_sync(campaign)
    assert sync_campaign_insights.call(campaign.pk) == {}  # the running one has it
    assert not DBTaskResult.objects.exists()
    services.request_sync(campaign)  # Refresh insights while it runs: its own run, later
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_campaign_insights.call(campaign.pk) == {}
    assert DBTaskResult.objects.get().run_after > timezone.now()
    services.finish_sync(campaign, 0, 0, 0)
    assert services.start_sync(campaign)
    InsightsSync.objects.filter(campaign=campaign).update(
        started_at=timezone.now() - timedelta(hours=4)
    )  # its worker died
    assert services.start_sync(campaign)


def test_the_scheduler_syncs_campaigns_with_posts_still_reported(
    workspace, tiktok_connected, actors, django_capture_on_commit_callbacks
):
    assert REGISTRY["insights.sync_all_campaigns"].every == timedelta(hours=6)
    active = campaign_with_posts(workspace, {"ada": 1})
    done = campaign_with_posts(workspace, {"bob": 1}, name="Done")
    campaign_with_posts(workspace, {}, name="No posts")
    campaign_with_posts(actors.other_workspace, {"eve": 1}, name="Not connected")
    post = done.posts.get()
    PostInsights.objects.create(
        workspace=workspace,
        campaign=done,
        creator=post.creator,
        post=post,
        country_code="US",
        as_of=timezone.now(),
        final=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_all_insights.call() == 1
    queued = DBTaskResult.objects.get(task_path__endswith="sync_campaign_insights")
    assert queued.args_kwargs["args"] == [active.pk]


def test_posts_never_reported_long_after_publishing_are_not_asked_about(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1, "bob": 1})
    campaign.posts.filter(creator__handle="ada").update(published_at=timezone.now())
    campaign.posts.filter(creator__handle="bob").update(
        published_at=timezone.now() - timedelta(days=29)
    )
    fetches = sync.plan(campaign, ["US"])
    assert [list(f.posts) for f in fetches] == [
        [campaign.posts.get(creator__handle="ada").video_id]
    ]


def test_one_thread_at_a_time_waits_on_the_shared_limiter():
    class SlowLimiter:
        waiting = most = 0

        def acquire(self, workspace_key, timeout):
            SlowLimiter.waiting += 1
            SlowLimiter.most = max(SlowLimiter.most, SlowLimiter.waiting)
            time.sleep(0.01)
            SlowLimiter.waiting -= 1
            return "grant"

        def release(self, grant):
            pass

    limiter = sync.OneWaiterAtATime(SlowLimiter())
    threads = [threading.Thread(target=limiter.acquire, args=("acme", 5)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SlowLimiter.most == 1


def test_a_post_reported_in_two_regions_counts_once(surfaced, viewer_client):
    """8 rows (4 posts × 2 regions) are 4 posts reported, in the result and on the page."""
    campaign = surfaced({"ada": 2, "bob": 2}, countries=["US", "GB"])
    result = sync_campaign_insights.call(campaign.pk)
    assert PostInsights.objects.filter(campaign=campaign).count() == 8
    assert result["posts_updated"] == 4
    assert InsightsSync.objects.get(campaign=campaign).posts_updated == 4
    page = viewer_client.get(f"/w/acme/insights/campaigns/{campaign.pk}/").content.decode()
    assert "4 posts reported" in page and "8 posts reported" not in page
