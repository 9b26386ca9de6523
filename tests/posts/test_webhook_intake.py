"""Finding 5: a signed body nested deeper than webhooks.MAX_DEPTH is refused at intake (400,
nothing stored, nothing to retry), and a delivery is known by its events' identity: the
escaped and raw UTF-8 forms of one event, or the same events re-wrapped, are one event."""

import hashlib
import importlib
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from inviteflow.posts import services, webhooks
from inviteflow.posts.models import WebhookEvent

SECRET = "s3cret"


@pytest.fixture
def receiver(workspace, settings):
    settings.TIKTOK_APP_SECRET = SECRET
    return reverse("tiktok_webhook", args=[services.endpoint_for(workspace).token])


def event(kind: str = "tto_video_published", **fields) -> dict:
    return {
        "event_type": "tto_campaign_webhook",
        "tto_campaign_event_type": kind,
        "video_id": "7300000000000000001",
        "campaign_id": "1800000000000000001",
        "tto_tcm_account_id": "7100000000000000001",
        "handle_name": "zoë",
        "event_time": "2026-05-02T10:00:00.000000Z",
        "log_id": "log-1",
        **fields,
    }


def envelope(*entries: dict, **fields) -> dict:
    return {"request_id": "r-1", "object": 10, "time": 1777716000, "entry": list(entries), **fields}


def deliver(receiver: str, body: bytes, signed_as: bytes | None = None):
    """POST as TikTok does: signed over the unicode-escaped form of the JSON."""
    signature = webhooks.sign(SECRET, signed_as if signed_as is not None else body)
    return Client().post(
        receiver, body, content_type="application/json", headers={"X-Open-Signature": signature}
    )


def test_a_deeply_nested_signed_body_is_refused_at_intake(receiver):
    for depth in (9, 50_000):
        body = json.dumps({"entry": []}).encode()[:-1] + b', "x": ' + b"[" * depth
        body += b"]" * depth + b"}"
        response = deliver(receiver, body)
        assert response.status_code == 400
        assert response.json() == {
            "code": "unreadable",
            "message": f"the body nests deeper than {webhooks.MAX_DEPTH} levels",
        }
    assert not WebhookEvent.objects.exists()


def test_brackets_inside_strings_do_not_count_as_nesting(receiver):
    body = json.dumps(envelope(event(handle_name='[[[[[[[[[[{{{{{{{{{{ \\" ]]'))).encode()
    assert webhooks.nesting_depth(body) == 3
    assert deliver(receiver, body).json() == {"received": True, "duplicate": False}


def test_a_signed_body_that_is_not_json_is_refused(receiver):
    for body in (b"not json", b'{"entry": [}', b'{"entry": "\xff"}'):
        response = deliver(receiver, body)
        assert response.status_code == 400 and response.json()["code"] == "unreadable"
    assert not WebhookEvent.objects.exists()


def test_the_escaped_and_raw_forms_of_one_event_are_one_event(receiver):
    escaped = json.dumps(envelope(event())).encode()
    raw = json.dumps(envelope(event()), ensure_ascii=False).encode()
    assert raw != escaped and b"\\u00eb" in escaped and "zoë".encode() in raw
    assert deliver(receiver, escaped).json() == {"received": True, "duplicate": False}
    assert deliver(receiver, raw, signed_as=escaped).json() == {
        "received": True,
        "duplicate": True,
    }
    assert WebhookEvent.objects.count() == 1


def test_the_same_events_in_another_envelope_or_order_are_one_delivery(receiver):
    first, second = event(), event(video_id="7300000000000000002")
    assert (
        deliver(receiver, json.dumps(envelope(first, second)).encode()).json()["duplicate"] is False
    )
    retry = envelope(second, first, request_id="r-2", time=1777716999)
    retry["entry"][1]["event_time"] = "2026-05-02T10:05:00.000000Z"
    assert deliver(receiver, json.dumps(retry).encode()).json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1


def test_different_events_of_one_video_are_kept(receiver):
    for kind in ("tto_video_uploaded", "tto_video_published"):
        body = json.dumps(envelope(event(kind))).encode()
        assert deliver(receiver, body).json()["duplicate"] is False
    other_video = json.dumps(envelope(event(video_id="7300000000000000009"))).encode()
    assert deliver(receiver, other_video).json()["duplicate"] is False
    assert WebhookEvent.objects.count() == 3


def test_an_entry_with_a_nul_is_set_aside_not_stored_as_a_post(receiver):
    body = json.dumps(envelope(event(video_id="73\u00000"))).encode()
    assert deliver(receiver, body).status_code == 200
    parsed = webhooks.parse(WebhookEvent.objects.get().body)
    assert parsed.events == [] and parsed.skipped == [
        "entry holds a NUL character or a lone surrogate"
    ]


def test_a_deep_body_stored_before_the_bound_is_set_aside_in_processing(workspace):
    stored = WebhookEvent.objects.create(
        workspace=workspace, digest="d" * 64, body="[" * 100_000 + "]" * 100_000
    )
    assert services.process_event(stored)["skipped"] == ["body nests too deep"]


def test_the_migration_gives_stored_events_their_identity(workspace, receiver):
    """Rows stored by raw digest get their identity, so a redelivery is still a duplicate;
    the second form of one event keeps its old digest (no unique clash)."""
    escaped = json.dumps(envelope(event())).encode()
    raw = json.dumps(envelope(event()), ensure_ascii=False).encode()
    for body in (escaped, raw):
        digest = hashlib.sha256(body).hexdigest()
        WebhookEvent.objects.create(workspace=workspace, digest=digest, body=body.decode())
    migration = importlib.import_module("inviteflow.posts.migrations.0002_webhook_event_identity")
    migration.digest_by_identity(apps, None)
    assert deliver(receiver, escaped).json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 2
