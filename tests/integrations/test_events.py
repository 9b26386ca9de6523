"""Events from the real changes, against the sandbox over loopback HTTP: a post published
through its invite link is `post.attributed` (campaign, creator and video id); an unlinked
branded post is `post.at_risk`, then `post.remediated` by a campaign code or `post.removed`
when TikTok takes it down; provisioning's `link.ready` / `link.failed`; outreach's
`outreach.sent` / `outreach.failed`; `insights.updated`. Sent by the sweep task, as the
workers send them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.campaigns import services as campaigns
from inviteflow.integrations.tasks import send_due_webhooks
from inviteflow.outreach import delivery as outreach_delivery
from inviteflow.outreach import services as outreach
from tests.campaigns.factories import make_creator
from tests.compliance.support import BRANDED, post_of, scan
from tests.integrations.conftest import add_endpoint
from tests.outreach.factories import add_campaign, roster, template

POST_EVENTS = ["post.attributed", "post.at_risk", "post.remediated", "post.removed"]


def sent(receiver) -> list[tuple[str, dict]]:
    send_due_webhooks.call()
    return [(r.json["type"], r.json["data"]) for r in receiver.received]


@pytest.fixture
def serial(settings):
    """Work in the test's own thread: the test database is not shared with other threads."""
    settings.LINK_PROVISIONING_CONCURRENCY = settings.INSIGHTS_SYNC_CONCURRENCY = 1
    settings.OUTREACH_SMTP_CONNECTIONS = 1


def test_a_post_published_through_its_link_is_attributed(world, receiver):
    add_endpoint(world.workspace, receiver.url, POST_EVENTS)
    campaign = world.campaign({"ada": 1})
    link = campaign.invite_links.get()
    [video] = world.publish(link)
    world.deliver(world.sandbox.deliveries())  # uploaded, then published: one post

    [(kind, data)] = sent(receiver)
    assert kind == "post.attributed"
    assert (data["campaign_id"], data["creator_id"], data["video_id"]) == (
        campaign.pk,
        link.creator_id,
        video,
    )
    assert data["linked_via"] == "invite_link" and data["invite_link_id"] == link.pk


def test_unlinked_posts_are_at_risk_then_remediated_or_removed(world, receiver, api):
    add_endpoint(world.workspace, receiver.url, POST_EVENTS)
    campaign = world.campaign({"ada": 1, "cy": 1})
    ada = world.sandbox.publish("ada", caption=BRANDED)["video_id"]
    cy = world.sandbox.publish("cy", caption=BRANDED)["video_id"]
    scan(world, campaign)
    at_risk = sent(receiver)
    assert sorted((kind, data["video_id"]) for kind, data in at_risk) == sorted(
        [("post.at_risk", ada), ("post.at_risk", cy)]
    )
    assert {data["compliance"] for _, data in at_risk} == {"at_risk"}

    with world.on_commit(execute=True):
        code = api.post(f"/posts/{post_of(ada).pk}/campaign-code").json()["campaign_code"]
    world.sandbox.http.post("/sandbox/apply-code", json={"video_id": ada, "campaign_code": code})
    world.deliver(world.sandbox.deliveries())
    kind, data = sent(receiver)[2]
    assert (kind, data["video_id"], data["linked_via"]) == (
        "post.remediated",
        ada,
        "campaign_code",
    )

    world.sandbox.advance(73)  # past TikTok's grace period: cy's post is taken down
    scan(world, campaign)
    events = sent(receiver)
    assert [(kind, data["video_id"]) for kind, data in events[3:]] == [("post.removed", cy)]
    assert events[3][1]["compliance"] == "removed"
    assert len(receiver.received) == 4  # nothing twice


def test_provisioning_emits_link_ready_and_link_failed(world, receiver, serial):
    add_endpoint(world.workspace, receiver.url, ["link.ready", "link.failed"])
    campaign = world.campaign({})
    ada = make_creator(world.workspace, "ada")
    bad = make_creator(world.workspace, "invalid_bob")
    with world.on_commit(execute=True):  # provisioning runs on commit, as in the app
        campaigns.add_creators(campaign, [ada, bad], posts_required=1)
    by_kind = {kind: data for kind, data in sent(receiver)}
    assert sorted(by_kind) == ["link.failed", "link.ready"]
    ready, failed = by_kind["link.ready"], by_kind["link.failed"]
    assert (ready["creator_id"], ready["campaign_id"], ready["status"]) == (
        ada.pk,
        campaign.pk,
        "active",
    )
    assert ready["url"].startswith(world.sandbox.base_url)
    assert (failed["creator_id"], failed["failure_code"]) == (bad.pk, "invalid_handle")


def test_outreach_emits_sent_and_failed(workspace, receiver, smtp, serial):
    add_endpoint(workspace, receiver.url, ["outreach.sent", "outreach.failed"])
    campaign = add_campaign(workspace)
    ada, bob = roster(campaign, "ada", "bob")
    smtp.refuse = {bob.email}
    batch = outreach.send_outreach(campaign, template(workspace), [ada, bob])
    outreach_delivery.deliver_batch(batch.pk)
    by_to = {data["to"]: (kind, data["status"]) for kind, data in sent(receiver)}
    assert by_to == {
        ada.email: ("outreach.sent", "sent"),
        bob.email: ("outreach.failed", "failed"),
    }


def test_an_insights_sync_that_updated_posts_emits_insights_updated(world, receiver, serial):
    from inviteflow.insights.tasks import sync_campaign_insights

    add_endpoint(world.workspace, receiver.url, ["insights.updated"])
    campaign = world.campaign({"ada": 1})
    world.publish(campaign.invite_links.get())
    world.deliver(world.sandbox.deliveries())
    world.sandbox.advance(49)  # TikTok surfaces the video in its reports
    with world.on_commit(execute=True):
        sync_campaign_insights.call(campaign.pk)
    [(kind, data)] = sent(receiver)
    assert kind == "insights.updated" and data["campaign_id"] == campaign.pk
    assert data["posts_updated"] == 1


def test_a_completed_campaign_emits_campaign_completed_once(workspace, receiver):
    add_endpoint(workspace, receiver.url, ["campaign.completed"])
    campaign = add_campaign(workspace)
    campaigns.update_campaign(campaign, status="completed")
    campaigns.update_campaign(campaign, name="Spring Launch (done)")  # not a completion
    [(kind, data)] = sent(receiver)
    assert (kind, data["id"], data["status"]) == ("campaign.completed", campaign.pk, "completed")


def test_a_post_missing_the_hashtags_emits_requirements_failed_once(world, receiver):
    add_endpoint(world.workspace, receiver.url, ["post.requirements_failed"])
    campaign = world.campaign({"ada": 1})
    [video] = world.publish(campaign.invite_links.get(), caption="forgot the tag")
    world.deliver(world.sandbox.deliveries())  # attributed, then described: the hashtag fails
    world.sync(campaign)  # checked again: nothing new fails, nothing sent again

    [(kind, data)] = sent(receiver)
    assert (kind, data["video_id"], data["campaign_id"]) == (
        "post.requirements_failed",
        video,
        campaign.pk,
    )
    assert data["checks"]["hashtags"] == {"result": "fail", "reason": "missing #springlaunch"}
    assert data["counts"] is False


def test_a_post_outside_the_window_is_attributed_and_fails_its_requirements(world, receiver):
    add_endpoint(world.workspace, receiver.url, ["post.attributed", "post.requirements_failed"])
    today = timezone.localdate()
    campaign = world.campaign({"ada": 1}, starts_on=today + timedelta(days=5))
    [video] = world.publish(campaign.invite_links.get())
    world.deliver(world.sandbox.deliveries())

    events = sent(receiver)
    assert [(kind, data["video_id"]) for kind, data in events] == [
        ("post.attributed", video),
        ("post.requirements_failed", video),
    ]
    assert events[1][1]["checks"]["in_window"]["result"] == "fail"


def test_a_post_that_meets_the_requirements_emits_no_failure(world, receiver):
    add_endpoint(world.workspace, receiver.url, ["post.requirements_failed"])
    campaign = world.campaign({"ada": 1})
    world.publish(campaign.invite_links.get())
    world.deliver(world.sandbox.deliveries())
    world.sync(campaign)
    assert sent(receiver) == []


def test_requirements_changed_at_the_next_sync_emit_requirements_failed(world, receiver):
    from inviteflow.campaigns.models import Campaign

    add_endpoint(world.workspace, receiver.url, ["post.requirements_failed"])
    campaign = world.campaign({"ada": 1}, hashtags=[])
    [video] = world.publish(campaign.invite_links.get(), caption="no tag")
    world.deliver(world.sandbox.deliveries())
    assert sent(receiver) == []  # nothing required, nothing failed
    Campaign.objects.filter(pk=campaign.pk).update(hashtags=["springlaunch"])
    world.sync(campaign)  # re-checked: the hashtag is now missing
    [(kind, data)] = sent(receiver)
    assert (kind, data["video_id"], data["checks"]["hashtags"]["result"]) == (
        "post.requirements_failed",
        video,
        "fail",
    )
