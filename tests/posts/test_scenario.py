"""Acceptance 1, against the sandbox over loopback HTTP: three creators publish 1, 10 and 12
posts through their links (the third moving to their second link); one webhook is
delivered twice, the two events of one video never arrive, one video's events arrive
out of order. Exactly 23 posts end up on the right creators and links, counters right,
no duplicate rows; reconciliation after the sandbox clock passes the reporting delay
recovers the lost one, and until then "why is my post missing" says it is on its way."""

import json

from inviteflow.links.models import InviteLink
from inviteflow.posts.models import MissingPosts, Post, WebhookEndpoint, WebhookEvent
from tests.posts.conftest import posts_by_link


def video_of(delivery) -> str:
    return json.loads(delivery.body)["entry"][0]["video_id"]


def test_twenty_three_posts_attributed_despite_a_lost_and_a_duplicated_webhook(world):
    campaign = world.campaign({"ada": 1, "bob": 10, "cy": 12})
    links = {(link.creator.handle, link.sequence): link for link in campaign.invite_links.all()}
    assert sorted(links) == [("ada", 1), ("bob", 1), ("cy", 1), ("cy", 2)]

    lost = world.publish(links["ada", 1])[0]
    world.publish(links["bob", 1], 10)
    world.publish(links["cy", 1], 10)
    world.publish(links["cy", 2], 2)
    deliveries = world.sandbox.deliveries()
    assert len(deliveries) == 46  # uploaded + published per video

    kept = [d for d in deliveries if video_of(d) != lost]  # both events of ada's post: lost
    kept.insert(5, kept[4])  # one delivered twice
    kept[10], kept[11] = kept[11], kept[10]  # published before uploaded
    answers = world.deliver(kept)
    assert [a.status_code for a in answers] == [200] * 45
    assert sum(a.json()["duplicate"] for a in answers) == 1

    assert Post.objects.filter(campaign=campaign).count() == 22
    assert (
        WebhookEvent.objects.count() == 44
        and not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    )

    world.sync(campaign)  # TikTok has not surfaced anything yet: nothing new, but an answer
    missing = MissingPosts.objects.get(campaign=campaign, creator__handle="ada")
    assert missing.reasons[0]["code"] == "not_surfaced"
    assert missing.reasons[0]["video_id"] == lost

    world.sandbox.advance(49)
    result = world.sync(campaign)
    assert result["posts_added"] == 1 and result["videos_seen"] == 23

    posts = Post.objects.filter(campaign=campaign)
    assert posts.count() == 23 == posts.values("video_id").distinct().count()
    assert posts_by_link(campaign) == {("ada", 1): 1, ("bob", 1): 10, ("cy", 1): 10, ("cy", 2): 2}
    assert posts.get(video_id=lost).found_by == Post.FoundBy.RECONCILIATION
    assert not posts.filter(counts=False).exists()
    assert set(posts.values_list("review_state", flat=True)) == {"published"}
    assert not MissingPosts.objects.filter(campaign=campaign).exists()

    counters = {
        (link.creator.handle, link.sequence): (link.posts_used, link.status)
        for link in InviteLink.objects.filter(campaign=campaign)
    }
    assert counters == {
        ("ada", 1): (1, "active"),
        ("bob", 1): (10, "exhausted"),
        ("cy", 1): (10, "exhausted"),
        ("cy", 2): (2, "active"),
    }


def test_connecting_subscribes_the_workspace_once(world):
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    with world.client() as client:
        subscriptions = list(client.subscriptions())
    assert [s.subscription_id for s in subscriptions] == [endpoint.subscription_id]
    assert subscriptions[0].callback_url.endswith(f"/webhooks/tiktok/{endpoint.token}/")
