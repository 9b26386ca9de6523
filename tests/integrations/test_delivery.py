"""Delivery to a real HTTP receiver on loopback: exactly the subscribed endpoints, signed,
at least once with backoff (500s, timeouts), no redirect followed, private targets refused
at send time, paused after three days of failures with an email to the owners, and nothing
sent for a change that was rolled back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inviteflow.campaigns import services as campaigns
from inviteflow.integrations import delivery, outbox
from inviteflow.integrations.models import Delivery, Endpoint, Event
from inviteflow.integrations.tasks import deliver_webhook, send_due_webhooks
from tests.campaigns.factories import make_campaign
from tests.integrations.conftest import add_endpoint, readme_verify


@pytest.fixture
def campaign(workspace):
    return make_campaign(workspace, status="active")


def complete(campaign):
    """A real change that emits campaign.completed."""
    return campaigns.update_campaign(campaign, status="completed")


def pending(endpoint) -> Delivery:
    return Delivery.objects.select_related("event").get(endpoint=endpoint)


def test_a_change_is_delivered_to_exactly_the_subscribed_endpoints(
    workspace, campaign, receiver, django_capture_on_commit_callbacks
):
    wants, secret = add_endpoint(workspace, receiver.url + "/a", ["campaign.completed"])
    add_endpoint(workspace, receiver.url + "/b", ["post.attributed"])
    paused, _ = add_endpoint(workspace, receiver.url + "/c", ["campaign.completed"])
    paused.active = False
    paused.save()

    with django_capture_on_commit_callbacks() as enqueued:
        complete(campaign)
    assert len(enqueued) == 1  # the first attempt is queued when the change commits
    [sent] = Delivery.objects.all()
    assert deliver_webhook.call(sent.pk) == "delivered"

    [got] = receiver.received
    assert got.path == "/hooks/a"
    body = got.json
    assert set(body) == {"id", "type", "created", "workspace", "data"}
    assert body["type"] == "campaign.completed" and body["workspace"] == "acme"
    assert body["id"] == sent.event.public_id
    assert body["data"]["id"] == campaign.pk and body["data"]["status"] == "completed"
    assert abs(body["created"] - timezone.now().timestamp()) < 60
    assert readme_verify()(secret, got.headers["Inviteflow-Signature"], got.body)
    assert got.headers["Content-Type"] == "application/json"

    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_status) == ("delivered", 1, 200)
    assert sent.response_excerpt.startswith("ok ") and len(sent.response_excerpt) == 500
    assert wants.deliveries.count() == 1 and paused.deliveries.count() == 0


def test_a_rolled_back_change_emits_nothing(workspace, campaign, receiver):
    add_endpoint(workspace, receiver.url, ["campaign.completed"])
    with pytest.raises(RuntimeError), transaction.atomic():
        complete(campaign)
        assert Delivery.objects.count() == 1  # written with the change…
        raise RuntimeError("the request failed after the change")
    assert Event.objects.count() == Delivery.objects.count() == 0  # …and gone with it
    assert not DBTaskResult.objects.exists()
    assert send_due_webhooks.call() == 0 and receiver.received == []


def test_no_endpoint_no_event_rows(workspace, campaign):
    add_endpoint(workspace, "http://127.0.0.1:9/x", ["post.attributed"])
    complete(campaign)
    assert Event.objects.count() == 0


def test_fails_twice_then_succeeds_the_same_event_three_times_with_backoff(
    workspace, campaign, receiver
):
    receiver.script = [500, "slow"]
    endpoint, secret = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    sent = pending(endpoint)
    start = timezone.now()

    assert delivery.deliver(sent.pk, start) == "pending"
    sent.refresh_from_db()
    assert (sent.attempts, sent.response_status, sent.error) == (1, 500, "not a 2xx answer")
    wait = sent.next_attempt_at - start
    assert timedelta(minutes=1) <= wait <= timedelta(minutes=1.1)
    assert delivery.send_due(start + timedelta(seconds=59)) == 0  # not due yet

    assert delivery.send_due(start + wait) == 1  # the receiver answers too late
    sent.refresh_from_db()
    assert (sent.attempts, sent.error, sent.status) == (2, "timed out", "pending")
    second_wait = sent.next_attempt_at - (start + wait)
    assert timedelta(minutes=4) <= second_wait <= timedelta(minutes=4.4)

    assert delivery.send_due(sent.next_attempt_at) == 1
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_status) == ("delivered", 3, 200)
    assert delivery.send_due(sent.next_attempt_at or timezone.now() + timedelta(days=9)) == 0

    ids = {r.json["id"] for r in receiver.received}
    assert len(receiver.received) == 3 and ids == {sent.event.public_id}
    assert {r.body for r in receiver.received} == {sent.event.body.encode()}
    verify = readme_verify()
    for got in receiver.received:  # each attempt signed with its own time
        stamp = int(got.headers["Inviteflow-Signature"].split(",")[0][2:])
        assert verify(secret, got.headers["Inviteflow-Signature"], got.body, now=stamp)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_backoff_grows_fourfold_to_twelve_hours_over_about_three_days():
    waits = [delivery.retry_delay(n) for n in range(1, delivery.MAX_ATTEMPTS)]
    assert waits[:5] == [timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]
    assert set(waits[5:]) == {timedelta(hours=12)}
    assert timedelta(days=3) <= sum(waits, timedelta()) <= timedelta(days=3.5)


def test_after_the_last_attempt_the_delivery_is_failed(workspace, campaign, receiver):
    receiver.script = [503] * delivery.MAX_ATTEMPTS
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    sent = pending(endpoint)
    moment = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver(sent.pk, moment)
        sent.refresh_from_db()
        moment = sent.next_attempt_at or moment
    assert (sent.status, sent.attempts, sent.next_attempt_at) == ("failed", 12, None)
    assert len(receiver.received) == 12


def test_a_redirect_is_not_followed(workspace, campaign, receiver):
    receiver.script = ["redirect"]
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    sent = pending(endpoint)
    delivery.deliver(sent.pk)
    sent.refresh_from_db()
    assert receiver.paths() == ["/hooks"]  # /elsewhere never asked
    assert (sent.status, sent.response_status) == ("pending", 302)
    assert sent.error == "redirects are not followed"


def test_a_target_that_became_private_is_refused_at_send_time(
    settings, workspace, campaign, receiver
):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = []  # e.g. the operator removed the exception
    sent = pending(endpoint)
    delivery.deliver(sent.pk)
    sent.refresh_from_db()
    assert receiver.received == []
    assert sent.status == "pending" and sent.error.startswith(
        "refused: 127.0.0.1 is a private or reserved address"
    )


def test_a_named_host_is_resolved_and_connected_to_by_a_checked_address(settings, receiver):
    from inviteflow import outbound

    url = f"http://localhost:{receiver.port}/hooks"
    with pytest.raises(outbound.DestinationRefused, match="special-use name"):
        outbound.check_destination(url, outbound.Allowlist.parse(["127.0.0.1"]))
    named = outbound.Allowlist.parse(["localhost"])  # an operator-named host: any address
    destination = outbound.check_destination(url, named)
    assert destination.address in outbound.resolve("localhost", receiver.port)
    answer = outbound.post_webhook(url, b"{}", {}, allowlist=named, timeout=2)
    assert (
        answer.status == 200
        and receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"
    )


def test_an_endpoint_failing_for_three_days_is_paused_and_its_owners_told(
    workspace, campaign, receiver, smtp
):
    receiver.script = [500] * 20
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"], "CRM")
    complete(campaign)
    sent = pending(endpoint)
    start = timezone.now()
    delivery.deliver(sent.pk, start)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since == start

    assert delivery.send_due(start + timedelta(days=3)) == 1
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.paused_reason == "Every delivery failed for 3 days (2 attempts)."
    [email] = smtp.messages
    assert email["To"] == "owner@acme.test"  # owners only, not the manager
    assert "Webhook endpoint paused" in email["Subject"]
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert receiver.url in text and "Every delivery failed" in text
    assert f"/w/acme/settings/webhooks/{endpoint.pk}/" in text
    assert receiver.url in html and "delivery log" in html

    complete_again = timezone.now() + timedelta(days=4)
    assert delivery.send_due(complete_again) == 0  # paused: nothing more is sent
    assert len(receiver.received) == 2


def test_a_redelivery_sends_the_same_event_again(workspace, campaign, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    first = pending(endpoint)
    delivery.deliver(first.pk)
    again = outbox.redeliver(first)
    assert again.pk != first.pk
    delivery.deliver(again.pk)
    assert [r.json["id"] for r in receiver.received] == [first.event.public_id] * 2


def test_a_test_event_goes_to_that_endpoint_whatever_it_subscribes_to(workspace, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["post.removed"])
    sent = outbox.send_test_event(endpoint)
    assert deliver_webhook.call(sent.pk) == "delivered"
    [got] = receiver.received
    assert got.json["type"] == "webhook.test" and got.json["data"]["endpoint_id"] == endpoint.pk


def test_two_workers_never_send_one_delivery_at_the_same_time(workspace, campaign, receiver):
    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    sent = pending(endpoint)
    now = timezone.now()
    assert delivery._claim(sent.pk, now)
    assert delivery.deliver(sent.pk, now) == "pending"  # claimed by the other: not sent
    assert receiver.received == []
    later = now + delivery.CLAIM_FOR + timedelta(seconds=1)  # that worker died
    assert delivery.deliver(sent.pk, later) == "delivered"
    assert Endpoint.objects.get(pk=endpoint.pk).active


def test_old_events_are_pruned_unless_still_being_delivered(workspace, campaign, receiver):
    from inviteflow.integrations.retention import KEEP_DAYS, prune_old_events

    endpoint, _ = add_endpoint(workspace, receiver.url, ["campaign.completed"])
    complete(campaign)
    delivery.deliver(pending(endpoint).pk)  # delivered
    waiting = outbox.send_test_event(endpoint)  # still pending
    later = timezone.now() + timedelta(days=KEEP_DAYS, seconds=1)
    assert prune_old_events(later) == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [waiting.event_id]
    assert prune_old_events(timezone.now()) == 0
