"""Acceptance 3 and the receiver's edges: a bad signature is refused with 401 and leaves no
trace; a replayed event changes nothing; events for objects we do not know are stored and
set aside; out-of-order events are harmless."""

import json

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from inviteflow.posts import webhooks
from inviteflow.posts.models import Post, WebhookEndpoint, WebhookEvent
from inviteflow.posts.tasks import process_webhook_event


def snapshot() -> list[dict]:
    return [
        model_to_dict(post, exclude=["id"]) | {"updated_at": post.updated_at}
        for post in Post.objects.order_by("video_id")
    ]


def entry(campaign_id: str, video_id: str, kind: str = "tto_video_published") -> dict:
    return {
        "event_type": "tto_campaign_webhook",
        "tto_campaign_event_type": kind,
        "video_id": video_id,
        "campaign_id": campaign_id,
        "tto_tcm_account_id": "7100000000000000001",
        "handle_name": "ada",
        "event_time": "2026-05-02T10:00:00.000000Z",
        "log_id": "log-1",
    }


def post_raw(path: str, body: bytes, signature: str | None):
    headers = {"X-Open-Signature": signature} if signature is not None else {}
    return Client().post(path, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def published(world):
    """One post through ada's link, its two webhooks not yet delivered."""
    campaign = world.campaign({"ada": 1})
    world.publish(campaign.invite_links.get())
    return campaign, world.sandbox.deliveries()


def test_a_bad_signature_gets_401_and_leaves_no_trace(world, published):
    campaign, deliveries = published
    good = deliveries[0]
    forged = good.body.replace(b"tto_video_uploaded", b"tto_video_published")
    for signature in (None, "", "0" * 64, good.headers["X-Open-Signature"].upper()[::-1]):
        assert post_raw(good.path, good.body, signature).status_code == 401
    assert post_raw(good.path, forged, good.headers["X-Open-Signature"]).status_code == 401
    assert not WebhookEvent.objects.exists() and not Post.objects.exists()


def test_replaying_a_valid_event_changes_nothing(world, published):
    campaign, deliveries = published
    world.deliver(deliveries)
    before, events = snapshot(), list(WebhookEvent.objects.values("id", "processed_at"))
    assert len(before) == 1 and before[0]["review_state"] == "published"

    answers = world.deliver(deliveries)
    assert [a.json() for a in answers] == [{"received": True, "duplicate": True}] * 2
    with world.on_commit(execute=True):
        assert process_webhook_event.call(events[0]["id"]) == {}  # processed already
    # The same events in a new envelope (TikTok's retry may re-wrap them): the same events.
    envelope = json.loads(deliveries[0].body) | {"request_id": "retry-1"}
    body = json.dumps(envelope).encode()
    signature = webhooks.sign(world.sandbox.creds["secret"], body)
    rewrapped = type(deliveries[0])(deliveries[0].url, body, {"X-Open-Signature": signature})
    assert world.deliver([rewrapped])[0].json() == {"received": True, "duplicate": True}
    assert snapshot() == before
    assert WebhookEvent.objects.count() == 2


def test_published_before_uploaded_ends_published(world, published):
    campaign, deliveries = published
    world.deliver(list(reversed(deliveries)))
    post = Post.objects.get()
    assert post.review_state == "published" and post.counts
    assert post.invite_link == campaign.invite_links.get()


def test_an_event_for_an_unknown_campaign_object_is_kept_and_set_aside(world):
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    body = json.dumps(
        {"request_id": "r", "object": 10, "time": 1, "entry": [entry("7999", "7888")]}
    ).encode()
    path = f"/webhooks/tiktok/{endpoint.token}/"
    signature = webhooks.sign(world.sandbox.creds["secret"], body)
    with world.on_commit(execute=True):
        assert post_raw(path, body, signature).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.processed_at and event.outcome["unmatched"] == ["7888"]
    assert not Post.objects.exists()


def test_unknown_token_is_404_and_stores_nothing(world, published):
    _, deliveries = published
    answer = post_raw(
        "/webhooks/tiktok/not-a-token/",
        deliveries[0].body,
        deliveries[0].headers["X-Open-Signature"],
    )
    assert answer.status_code == 404 and not WebhookEvent.objects.exists()


def test_receiver_accepts_only_post(db):
    assert Client().get("/webhooks/tiktok/whatever/").status_code == 405


def test_without_an_app_secret_nothing_is_accepted():
    body = b'{"entry": []}'
    assert not webhooks.signature_valid("", body, webhooks.sign("", body))


def test_a_non_ascii_body_signed_in_its_unicode_escaped_form_is_accepted():
    raw = '{"handle_name":"zoë 🎉"}'.encode()
    escaped = b'{"handle_name":"zo\\u00eb \\ud83c\\udf89"}'
    assert webhooks.unicode_escaped(raw) == escaped
    assert webhooks.signature_valid("s3cret", raw, webhooks.sign("s3cret", escaped))
    assert webhooks.signature_valid("s3cret", raw, webhooks.sign("s3cret", raw))


def test_parse_skips_what_is_not_a_video_event():
    body = json.dumps(
        {
            "object": 10,
            "entry": [
                entry("1", "2"),
                {"event_type": "lead"},
                "junk",
                entry("1", "", "tto_video_uploaded"),
            ],
        }
    )
    parsed = webhooks.parse(body)
    assert [e.video_id for e in parsed.events] == ["2"] and len(parsed.skipped) == 3
    assert webhooks.parse("not json").skipped == ["body is not JSON"]
    assert webhooks.parse(json.dumps({"object": 1, "entry": []})).events == []
