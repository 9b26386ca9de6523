"""The daily summary (`summary.daily`): once per workspace per UTC day, an hourly job records
the overview's figures for the endpoints that picked it, sent through the same outbox —
a Slack message naming them, or a signed event with the same figures as JSON."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.core.scheduler import REGISTRY
from inviteflow.integrations import services, summary
from inviteflow.integrations.models import DailySummary, Delivery, Event
from inviteflow.integrations.retention import prune_old_summary_days
from inviteflow.integrations.tasks import send_daily_summaries, send_due_webhooks
from inviteflow.outreach.models import OutboxMessage
from tests.integrations.conftest import add_endpoint
from tests.overview.test_overview import campaign_in_flight

pytestmark = pytest.mark.django_db

DAILY = ["summary.daily"]


def add_slack(workspace, url: str, events: list[str]):
    endpoint, _ = services.create_endpoint(workspace, url, events, "#daily", "slack")
    return endpoint


def texts(receiver) -> list[str]:
    send_due_webhooks.call()
    return [got.json["text"] for got in receiver.received]


def failed_email(workspace, key: str, age: timedelta) -> None:
    when = timezone.now() - age
    OutboxMessage.objects.create(
        workspace=workspace,
        idempotency_key=key,
        to_email="x@creators.test",
        subject="Hi",
        body="Hi",
        status=OutboxMessage.Status.FAILED,
        created_at=when,
        claimed_at=when,
    )


def test_the_slack_summary_carries_the_overview_figures(workspace, receiver):
    add_slack(workspace, receiver.url, DAILY)
    campaign = campaign_in_flight(workspace)  # 2/8 delivered, 1 at risk, 1 link failed
    failed_email(workspace, "recent", timedelta(hours=2))
    failed_email(workspace, "old", timedelta(days=3))  # outside the last 24 h

    assert send_daily_summaries.call() == 1
    [text] = texts(receiver)
    assert text.startswith("*Daily summary of Acme*: 1 campaign(s) in flight")
    assert f"/w/acme/campaigns/{campaign.pk}/|Spring Launch>" in text
    assert "2/8 posts delivered, 2,000 views, 1 at risk, 1 link(s) failed" in text
    assert "1 post(s) at risk:" in text and "@springbob in Spring Launch (video " in text
    assert " h left to link it" in text
    assert text.endswith(
        "Links failed: 1 · Emails failed in the last 24 h: 1 · Views to date: 2,000"
    )
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts, sent.event.type) == ("delivered", 1, "summary.daily")


def test_a_signed_endpoint_gets_the_same_figures_as_json(workspace, receiver):
    add_endpoint(workspace, receiver.url, DAILY)
    campaign = campaign_in_flight(workspace)
    send_daily_summaries.call()
    send_due_webhooks.call()
    [got] = receiver.received
    assert "Inviteflow-Signature" in got.headers and got.json["type"] == "summary.daily"
    data = got.json["data"]
    assert data["day"] == timezone.now().date().isoformat()
    [row] = data["campaigns"]
    assert (row["id"], row["posts_delivered"], row["posts_required"]) == (campaign.pk, 2, 8)
    assert (row["posts_at_risk"], row["links_failed"], row["views"]) == (1, 1, 2000)
    [post] = data["posts_at_risk"]
    assert post["creator"] == "springbob" and post["seconds_left"] > 0
    assert (data["campaigns_in_flight"], data["posts_at_risk_count"]) == (1, 1)
    assert (data["links_failed"], data["emails_failed_24h"], data["views"]) == (1, 0, 2000)


def test_nothing_in_flight_is_one_short_line(workspace, receiver):
    add_slack(workspace, receiver.url, DAILY)
    send_daily_summaries.call()
    assert texts(receiver) == ["*Daily summary of Acme*: nothing in flight."]


def test_running_the_job_twice_the_same_day_sends_once(workspace, receiver):
    add_slack(workspace, receiver.url, DAILY)
    campaign_in_flight(workspace)
    assert send_daily_summaries.call() == 1
    assert send_daily_summaries.call() == 0
    assert len(texts(receiver)) == 1
    assert Event.objects.filter(type="summary.daily").count() == 1
    [claim] = DailySummary.objects.all()
    assert claim.day == timezone.now().date() and claim.event == Event.objects.get()

    # The next UTC day gets its own.
    assert summary.send_daily_summaries(timezone.now() + timedelta(days=1)) == 1
    assert DailySummary.objects.count() == 2


def test_a_concurrent_run_that_lost_the_claim_records_nothing(workspace, receiver):
    endpoint = add_slack(workspace, receiver.url, DAILY)
    now = timezone.now()
    DailySummary.objects.create(workspace=workspace, day=now.date())  # the other scheduler
    assert summary._send([endpoint], now.date(), now) is False
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_a_workspace_without_subscribed_endpoints_gets_nothing(workspace, receiver):
    add_slack(workspace, receiver.url, ["campaign.completed"])  # did not pick it
    paused = add_slack(workspace, receiver.url + "/paused", DAILY)
    paused.active = False
    paused.save()
    campaign_in_flight(workspace)
    assert send_daily_summaries.call() == 0
    assert texts(receiver) == []
    assert not Event.objects.exists() and not DailySummary.objects.exists()


def test_another_workspaces_data_never_appears(actors, receiver):
    acme, globex = actors.workspace, actors.other_workspace
    add_slack(acme, receiver.url + "/acme", DAILY)
    add_endpoint(globex, receiver.url + "/globex", DAILY)
    campaign_in_flight(acme, name="Spring Launch")
    secret = campaign_in_flight(globex, name="Globex Secret", ends_in_days=5)
    failed_email(globex, "globex-failed", timedelta(hours=1))

    assert send_daily_summaries.call() == 2
    send_due_webhooks.call()
    by_path = {got.path: got for got in receiver.received}
    text = by_path["/hooks/acme"].json["text"]
    assert "Spring Launch" in text and "Globex" not in text and "globexbob" not in text
    assert "Emails failed in the last 24 h: 0" in text
    data = by_path["/hooks/globex"].json["data"]
    assert [c["id"] for c in data["campaigns"]] == [secret.pk]
    assert data["emails_failed_24h"] == 1 and "Spring" not in by_path["/hooks/globex"].body.decode()


def test_old_summary_days_are_pruned(workspace):
    now = timezone.now()
    DailySummary.objects.create(workspace=workspace, day=(now - timedelta(days=40)).date())
    DailySummary.objects.create(workspace=workspace, day=now.date())
    assert prune_old_summary_days(now) == 1
    assert [d.day for d in DailySummary.objects.all()] == [now.date()]


def test_the_job_ticks_hourly():
    assert REGISTRY["integrations.send_daily_summaries"].every == timedelta(hours=1)
