"""Slack: an endpoint of kind "slack" gets the events a manager picked as Slack messages
(`{"text": …}`, unsigned) through the same outbox, retries and log; its URL must be on
hooks.slack.com unless OUTGOING_WEBHOOKS_ALLOWED_HOSTS allows the host (here: loopback), and
is kept encrypted, shown masked."""

from datetime import timedelta
from ipaddress import ip_address

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from inviteflow import outbound
from inviteflow.campaigns import services as campaigns
from inviteflow.integrations import delivery, services
from inviteflow.integrations.models import Delivery, Endpoint
from inviteflow.integrations.tasks import send_due_webhooks
from tests.campaigns.factories import make_campaign
from tests.integrations.conftest import add_endpoint

NEW = "/w/acme/settings/webhooks/new/"


def add_slack(workspace, url: str, events: list[str]) -> Endpoint:
    endpoint, _ = services.create_endpoint(workspace, url, events, "#campaigns", "slack")
    return endpoint


def texts(receiver) -> list[str]:
    send_due_webhooks.call()
    for got in receiver.received:
        assert set(got.json) == {"text"}
    return [got.json["text"] for got in receiver.received]


def test_a_slack_endpoint_gets_the_picked_events_as_messages(workspace, receiver):
    slack = add_slack(workspace, receiver.url, ["campaign.completed"])
    add_slack(workspace, receiver.url + "/other", ["post.at_risk"])  # did not pick it
    campaign = make_campaign(workspace, name="Q&A <Launch>", status="active")
    campaigns.update_campaign(campaign, status="completed")

    [text] = texts(receiver)
    [got] = receiver.received
    assert got.path == "/hooks" and got.headers["Content-Type"] == "application/json"
    assert "Inviteflow-Signature" not in got.headers  # Slack messages are not signed
    link = f"/w/acme/campaigns/{campaign.pk}/|Q&amp;A &lt;Launch&gt;>"
    assert text.startswith("<http") and link in text and text.endswith("was marked completed")
    sent = Delivery.objects.get(endpoint=slack)
    assert (sent.status, sent.attempts, sent.event.type) == ("delivered", 1, "campaign.completed")


def test_a_post_published_through_its_link_is_announced_in_slack(world, receiver):
    add_slack(world.workspace, receiver.url, ["post.attributed", "post.requirements_failed"])
    campaign = world.campaign({"ada": 1})
    [video] = world.publish(campaign.invite_links.get(), caption="no tag")
    world.deliver(world.sandbox.deliveries())

    attributed, failed = texts(receiver)
    assert attributed.startswith("@ada published a post for <") and video in attributed
    assert "does not meet the requirements: missing #springlaunch" in failed


def test_slack_and_signed_endpoints_get_the_same_event_each_in_its_form(workspace, receiver):
    add_slack(workspace, receiver.url + "/slack", ["campaign.completed"])
    add_endpoint(workspace, receiver.url + "/signed", ["campaign.completed"])
    campaign = make_campaign(workspace, status="active")
    campaigns.update_campaign(campaign, status="completed")
    send_due_webhooks.call()
    by_path = {got.path: got for got in receiver.received}
    assert set(by_path["/hooks/slack"].json) == {"text"}
    assert by_path["/hooks/signed"].json["type"] == "campaign.completed"
    assert "Inviteflow-Signature" in by_path["/hooks/signed"].headers


def test_a_failing_slack_channel_is_retried_like_any_endpoint(workspace, receiver):
    receiver.script = [500]
    slack = add_slack(workspace, receiver.url, ["campaign.completed"])
    campaigns.update_campaign(make_campaign(workspace, status="active"), status="completed")
    sent = Delivery.objects.get(endpoint=slack)
    start = timezone.now()
    assert delivery.deliver(sent.pk, start) == "pending"
    assert delivery.deliver(sent.pk, start + timedelta(minutes=2)) == "delivered"
    first, second = receiver.received
    assert first.body == second.body and "was marked completed" in first.json["text"]


def test_the_url_is_kept_encrypted_and_shown_masked(workspace, receiver, manager_client, api):
    slack = add_slack(workspace, receiver.url + "/T0/B0/secretkey", ["campaign.completed"])
    assert slack.url == f"http://127.0.0.1:{receiver.port}/hooks/T0/B0/se…"
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, slack_url FROM integrations_endpoint")
        stored = " ".join(cursor.fetchone())
    assert "secretkey" not in stored
    assert Endpoint.objects.get().destination == receiver.url + "/T0/B0/secretkey"

    listed = api.get("/webhook-endpoints").json()["items"][0]
    assert (listed["kind"], listed["url"]) == ("slack", slack.url)
    page = manager_client.get(f"/w/acme/settings/webhooks/{slack.pk}/").content.decode()
    assert "secretkey" not in page and "Rotate secret" not in page and "Slack" in page

    # Saving the settings with the masked URL as shown keeps the real one.
    form = {"url": slack.url, "events": ["campaign.completed"], "description": "renamed"}
    assert manager_client.post(f"/w/acme/settings/webhooks/{slack.pk}/", form).status_code == 302
    slack.refresh_from_db()
    assert slack.description == "renamed" and slack.destination.endswith("/secretkey")
    assert manager_client.post(f"/w/acme/settings/webhooks/{slack.pk}/test/").status_code == 302
    assert texts(receiver) == [
        "A test message from inviteflow: this channel receives the events you picked."
    ]
    assert receiver.received[0].path == "/hooks/T0/B0/secretkey"


def test_a_manager_adds_a_slack_endpoint_on_the_form_no_secret_shown(manager_client, receiver):
    form = {"kind": "slack", "url": receiver.url, "events": ["post.at_risk", "link.failed"]}
    answer = manager_client.post(NEW, form)
    assert answer.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.kind == "slack" and endpoint.events == ["link.failed", "post.at_risk"]
    page = manager_client.get(answer["Location"]).content.decode()
    assert "whsec_" not in page and "Signing secret" not in page


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/services/T0/B0/x",
        "http://hooks.slack.com/services/T0/B0/x",  # not https
        "https://hooks.slack.com.evil.com/services/x",
    ],
)
def test_by_default_a_slack_url_must_be_on_hooks_slack_com(settings, workspace, url):
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = []
    with pytest.raises(ValidationError, match="hooks.slack.com"):
        add_slack(workspace, url, ["post.at_risk"])
    assert not Endpoint.objects.exists()


def test_hooks_slack_com_is_accepted_and_loopback_only_when_allowed(
    settings, workspace, monkeypatch, receiver
):
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = []
    public = ip_address("8.8.8.8")  # no DNS here: Slack's host resolves to a public one
    monkeypatch.setattr(outbound, "resolve", lambda host, port: [public])
    slack = add_slack(workspace, "https://hooks.slack.com/services/T0/B0/abcdef", ["post.at_risk"])
    assert slack.url == "https://hooks.slack.com/services/T0/B0/ab…"
    with pytest.raises(ValidationError, match="OUTGOING_WEBHOOKS_ALLOWED_HOSTS"):
        add_slack(workspace, receiver.url, ["post.at_risk"])


def test_an_unknown_kind_is_refused_naming_the_field(workspace, receiver, api):
    with pytest.raises(ValidationError, match="kind"):
        services.create_endpoint(workspace, receiver.url, ["post.at_risk"], "", "teams")
    answer = api.post(
        "/webhook-endpoints", {"url": receiver.url, "events": ["post.at_risk"], "kind": "slack"}
    )
    assert answer.status_code == 201 and answer.json()["kind"] == "slack"
    assert (
        api.post("/webhook-endpoints", {"url": receiver.url, "events": ["post.at_risk"]}).json()[
            "kind"
        ]
        == "webhook"
    )
