"""Background entry points: the scheduled sync, the sweep of stored webhooks a lost task
left behind, and the webhook subscription made when a workspace (re)connects."""

import json
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.core.scheduler import REGISTRY
from inviteflow.posts import tasks
from inviteflow.posts.models import MissingPosts, Post, WebhookEndpoint, WebhookEvent
from inviteflow.tiktok.connections import connect_with_token
from inviteflow.tiktok.models import TikTokConnection
from tests.posts.factories import add_link, campaign_with


def enqueued(name: str) -> list:
    return [t.args_kwargs["args"] for t in DBTaskResult.objects.filter(task_path__endswith=name)]


def test_periodic_jobs_are_registered():
    assert REGISTRY["posts.sync_all_campaigns"].every == timedelta(minutes=15)
    assert REGISTRY["posts.process_stored_events"].every == timedelta(minutes=1)


def test_scheduled_sync_covers_connected_campaigns_that_may_still_get_posts(
    workspace, actors, django_capture_on_commit_callbacks
):
    TikTokConnection.objects.create(workspace=workspace, account_id="71", access_token="t")
    today = timezone.localdate()
    current = {"starts_on": today - timedelta(days=20), "ends_on": today - timedelta(days=5)}
    live = campaign_with(workspace, {"ada": 1}, name="Ended five days ago", **current)
    add_link(live, "ada")
    ended = campaign_with(workspace, {"bob": 1}, name="Long over")  # May 2025
    add_link(ended, "bob")
    campaign_with(workspace, {"cy": 1}, name="No links yet", **current)
    elsewhere = campaign_with(actors.other_workspace, {"dee": 1}, name="Not connected", **current)
    add_link(elsewhere, "dee")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_all_campaigns.call() == 1
    assert enqueued("sync_campaign_posts") == [[live.pk]]
    assert enqueued("subscribe_webhooks") == [[workspace.pk]]  # never subscribed yet


def test_stored_events_whose_task_was_lost_are_processed(world):
    campaign = world.campaign({"ada": 1})
    world.publish(campaign.invite_links.get())
    delivery = world.sandbox.deliveries()[1]
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    WebhookEvent.objects.create(
        workspace=world.workspace,
        digest="d" * 64,
        body=delivery.body.decode(),
        received_at=timezone.now() - timedelta(minutes=5),
    )
    assert endpoint.token in delivery.url
    with world.on_commit(execute=True):
        assert tasks.process_stored_events.call() == 1
    event = WebhookEvent.objects.get()
    assert event.processed_at and event.attempts == 1
    assert json.loads(event.body)["entry"][0]["video_id"] == Post.objects.get().video_id


def test_reconnecting_replaces_the_subscription(world, django_capture_on_commit_callbacks):
    first = WebhookEndpoint.objects.get(workspace=world.workspace).subscription_id
    with django_capture_on_commit_callbacks(execute=True):
        connect_with_token(world.workspace, world.sandbox.account_id, world.sandbox.token)
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    with world.client() as client:
        live = [s.subscription_id for s in client.subscriptions()]
    assert live == [endpoint.subscription_id] and endpoint.subscription_id != first
    connection = TikTokConnection.objects.get(workspace=world.workspace)
    assert connection.webhook_subscription_id == endpoint.subscription_id


def test_a_sync_without_a_connection_says_so(workspace, immediate_tasks):
    campaign = campaign_with(workspace, {"ada": 1})
    result = tasks.sync_campaign_posts.call(campaign.pk)
    assert "not connected to TikTok" in result["error"]
    assert "not connected" in campaign.post_sync.last_error


def test_a_read_tiktok_refuses_shows_on_the_sync_and_the_rest_goes_on(world):
    """A 40002 is never only logged: the sync's status shows it (the account went away)."""
    campaign = world.campaign({"ada": 1, "invalid_bob": 1})
    result = world.sync(campaign)
    assert "40002" in result["error"] and "invalid_bob" in result["error"]
    assert "40002" in campaign.post_sync.last_error
    assert MissingPosts.objects.filter(campaign=campaign, creator__handle="ada").exists()


def test_a_size_tiktok_refuses_is_learned_by_the_sync(world):
    """TikTok takes fewer posts a call than configured: the sync halves, retries, and the
    next one asks for what worked; nothing is swallowed on the way."""
    from inviteflow.tiktok import sizes
    from inviteflow.tiktok.models import LearnedLimit

    sizes.shared().forget()
    world.sandbox.app.runtime.config = world.sandbox.app.config.replace(max_video_list_limit=5)
    campaign = world.campaign({"ada": 1})
    try:
        assert world.sync(campaign)["error"] == ""
        learned = LearnedLimit.objects.get()
        assert (learned.parameter, learned.size, learned.confirmed) == ("limit", 5, True)
    finally:
        sizes.shared().forget()
