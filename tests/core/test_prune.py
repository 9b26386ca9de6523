"""Data that does not grow forever: processed webhook bodies are emptied after their
retention, unchanged insight figures are not stored twice (charts stay right), old log rows
go, and `inviteflow prune` and the scheduled job say what they removed."""

import json
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from inviteflow.accounts import audit
from inviteflow.accounts.models import SecurityEvent
from inviteflow.core import retention, scheduler
from inviteflow.core.enqueue import autodiscover, task_of
from inviteflow.insights import rollups
from inviteflow.insights.figures import post_charts
from inviteflow.insights.models import CampaignSnapshot, MetricSnapshot, PostInsights
from inviteflow.insights.services import record_campaign_totals
from inviteflow.posts import services as posts
from inviteflow.posts.models import WebhookEvent
from tests.insights.support import AS_OF, campaign_with_posts, report_everything

DAY = timedelta(days=1)


def delivery(video_id: str) -> bytes:
    entry = {
        "event_type": "tto_campaign_webhook",
        "tto_campaign_event_type": "tto_video_published",
        "video_id": video_id,
        "campaign_id": "7100000000000000999",
        "tto_tcm_account_id": "7100000000000000001",
        "event_time": "2026-05-02T10:00:00.000000Z",
    }
    return json.dumps({"entry": [entry]}).encode()


def stored(workspace, video_id: str, processed_days_ago: float | None) -> WebhookEvent:
    event = posts.record_webhook(workspace, delivery(video_id))
    assert event is not None
    if processed_days_ago is not None:  # the worker processed it back then
        processed_at = timezone.now() - processed_days_ago * DAY
        WebhookEvent.objects.filter(pk=event.pk).update(processed_at=processed_at)
    return event


def test_processed_webhook_bodies_are_emptied_after_their_retention(workspace):
    old = stored(workspace, "v-old", processed_days_ago=31)
    stored(workspace, "v-recent", processed_days_ago=29)
    stored(workspace, "v-pending", processed_days_ago=None)

    [pruned] = [p for p in retention.prune_all() if p.name == "posts.webhook_bodies"]

    old.refresh_from_db()
    assert pruned.changed == 1 and old.body == "" and old.digest
    assert {e.body != "" for e in WebhookEvent.objects.exclude(pk=old.pk)} == {True}
    assert WebhookEvent.objects.count() == 3  # rows stay: their digests still spot replays
    assert posts.record_webhook(workspace, delivery("v-old")) is None


def test_webhook_body_retention_is_a_setting(workspace, settings):
    settings.WEBHOOK_BODY_RETENTION_DAYS = 2
    stored(workspace, "v-3-days", processed_days_ago=3)
    stored(workspace, "v-1-day", processed_days_ago=1)
    retention.prune_all()
    assert sorted(e.body == "" for e in WebhookEvent.objects.all()) == [False, True]


def test_unchanged_insights_are_stored_once_and_the_chart_runs_to_the_latest_sync(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1})
    for hours in (0, 6, 12, 18):  # TikTok refreshes daily: four syncs, one set of figures
        report_everything(campaign, views=lambda i: 500, at=AS_OF + timedelta(hours=hours))
    report_everything(campaign, views=lambda i: 900, at=AS_OF + timedelta(hours=24))

    views = list(MetricSnapshot.objects.values_list("fetched_at", "video_views"))
    assert views == [(AS_OF, 500), (AS_OF + 24 * timedelta(hours=1), 900)]
    report_everything(campaign, views=lambda i: 900, at=AS_OF + timedelta(hours=30))
    insights = PostInsights.objects.get()
    history = rollups.post_history(insights.post, "US")
    chart = post_charts(insights, history)[0]
    assert len(history) == 2 and len(chart.rows) == 3  # the last point: confirmed at 30 h
    assert chart.rows[-1][1] == "900"


def test_unchanged_campaign_totals_keep_two_points_the_last_moving(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1, "bob": 1})
    report_everything(campaign, views=lambda i: 100)
    for _ in range(4):
        record_campaign_totals(campaign, ["US"])
    report_everything(campaign, views=lambda i: 300, at=AS_OF + DAY)
    record_campaign_totals(campaign, ["US"])

    points = list(CampaignSnapshot.objects.order_by("taken_at").values_list("video_views"))
    assert points == [(200,), (200,), (600,)]
    plateau = CampaignSnapshot.objects.order_by("taken_at")[:2]
    assert plateau[0].taken_at < plateau[1].taken_at


def test_old_security_log_and_expired_login_failures_go(actors, settings):
    old = audit.record(audit.Kind.LOGIN_FAILED, email="x@acme.test")
    SecurityEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - 366 * DAY)
    audit.record(audit.Kind.LOGIN_FAILED, email="y@acme.test")
    retention.prune_all()
    assert list(SecurityEvent.objects.values_list("email", flat=True)) == ["y@acme.test"]


def test_prune_command_prints_rows_and_bytes_per_table(workspace, capsys):
    stored(workspace, "v-old", processed_days_ago=40)
    call_command("prune")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("posts.webhook_bodies"))
    assert "posts_webhookevent" in line and "1 → 1" in line
    before, after = re.findall(r"(\d+ (?:B|KiB))", line)
    if connection.vendor == "sqlite":  # PostgreSQL frees the space only at VACUUM (MVCC)
        assert _bytes(after) < _bytes(before)  # the emptied body
    for name in ["accounts.security_log", "core.finished_task_results", "core.expired_sessions"]:
        assert name in out


def test_pruning_is_a_scheduled_job(workspace, settings):
    autodiscover()
    job = scheduler.REGISTRY["core.prune_old_data"]
    assert job.every == timedelta(hours=settings.PRUNE_EVERY_HOURS)
    stored(workspace, "v-old", processed_days_ago=40)
    result = task_of("core.prune_old_data").call()
    assert result["posts.webhook_bodies"] == 1
    assert WebhookEvent.objects.get().body == ""


@pytest.mark.parametrize("name", sorted(["posts.webhook_bodies", "accounts.security_log"]))
def test_every_pruner_measures_its_table(db, name):
    [pruned] = [p for p in retention.prune_all() if p.name == name]
    assert pruned.before.bytes is not None and pruned.before.bytes > 0


def test_failed_login_records_go_once_they_can_no_longer_lock(actors, settings):
    Client().post("/login/", {"username": "viewer@acme.test", "password": "wrong"})
    assert AccessAttempt.objects.count() == 1
    retention.prune_all(now=timezone.now() + settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert AccessAttempt.objects.count() == 1  # still counting toward a lock
    retention.prune_all(now=timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    assert AccessAttempt.objects.count() == 0


def _bytes(size: str) -> int:
    number, unit = size.split()
    return int(number) * (1024 if unit == "KiB" else 1)
