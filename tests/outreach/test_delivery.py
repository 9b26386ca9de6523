"""Delivery through a real SMTP server on loopback: what each creator receives, failures,
and exactly once — the same batch twice, a retried task, a worker killed mid-batch."""

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

import inviteflow
from inviteflow.outreach import delivery, services, tasks
from inviteflow.outreach.models import CreatorPage, EmailTemplate, OutboxMessage
from tests.outreach.conftest import free_port
from tests.outreach.factories import roster, template

Status = OutboxMessage.Status


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def test_each_creator_gets_their_own_links_and_values(workspace, campaign, smtp):
    people = roster(campaign, "ada", "bob", "cyd")
    batch = services.send_outreach(campaign, template(workspace), people)
    assert delivery.deliver_batch(batch.pk).sent == 3
    for person in people:
        (received,) = smtp.to(person.email)
        assert received["Subject"] == f"Spring Launch for {person.first_name}"
        assert received.get_content_type() == "multipart/alternative"
        text, html = parts(received)
        for url in (f"https://www.tiktok.com/t/{person.handle}-{n}/" for n in (1, 2)):
            assert url in text and f'href="{url}"' in html
        others = [p.handle for p in people if p != person]
        assert not any(f"/t/{handle}-" in text + html for handle in others)
        token = CreatorPage.objects.get(creator=person).token
        assert f"/c/{token}/" in text and f"/c/{token}/" in html
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    batch.refresh_from_db()
    assert batch.status == "done"


def test_the_shipped_invite_carries_the_requirements(workspace, campaign, smtp):
    (ada,) = roster(campaign, "ada")
    services.ensure_default_templates(workspace)
    invite = EmailTemplate.objects.get(workspace=workspace, default_key="tiktok_invite")
    delivery.deliver_batch(services.send_outreach(campaign, invite, [ada]).pk)
    text, html = parts(smtp.to(ada.email)[0])
    for expected in (
        "Hi Ada",
        "12 video posts between 1 May 2025 and 31 May 2025",
        "#springlaunch #ad",
        "https://www.tiktok.com/t/ada-1/  (10 posts left)",
        "Show the colours in daylight.",
    ):
        assert expected in text
    assert '<a href="https://www.tiktok.com/t/ada-2/">' in html and "Acme" in html


def test_the_same_batch_twice_sends_once(workspace, campaign, smtp):
    people = roster(campaign, "ada", "bob", "cyd")
    t = template(workspace)
    first, second = (services.send_outreach(campaign, t, people) for _ in range(2))
    delivery.deliver_batch(first.pk)
    delivery.deliver_batch(second.pk)
    assert smtp.recipients() == sorted(p.email for p in people)
    assert second.queued == 0 and len(second.skipped) == 3


def test_a_retried_task_sends_once(workspace, campaign, smtp):
    people = roster(campaign, "ada", "bob", "cyd")
    batch = services.send_outreach(campaign, template(workspace), people)
    assert tasks.deliver_outreach_batch.call(batch.pk)["sent"] == 3
    assert tasks.deliver_outreach_batch.call(batch.pk)["sent"] == 0
    assert smtp.recipients() == sorted(p.email for p in people)


def test_sending_starts_when_the_transaction_commits(
    workspace, campaign, smtp, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    people = roster(campaign, "ada", "bob")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.send_outreach(campaign, template(workspace), people)
    assert smtp.messages == [] and len(callbacks) == 1
    callbacks[0]()
    assert smtp.recipients() == sorted(p.email for p in people)


def test_a_refused_recipient_fails_with_the_smtp_error_then_resends_once(workspace, campaign, smtp):
    ada, bob, cyd = roster(campaign, "ada", "bob", "cyd")
    smtp.refuse.add(bob.email)
    batch = services.send_outreach(campaign, template(workspace), [ada, bob, cyd])
    report = delivery.deliver_batch(batch.pk)
    assert (report.sent, report.failed) == (2, 1)
    failed = OutboxMessage.objects.get(creator=bob)
    assert failed.status == Status.FAILED
    assert failed.error == f"{bob.email}: 550 5.1.1 mailbox unavailable"
    smtp.refuse.clear()
    assert services.resend_failed(batch) == 1
    delivery.deliver_batch(batch.pk)
    assert smtp.recipients() == sorted([ada.email, bob.email, cyd.email])
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (Status.SENT, "", 2)


def test_an_unreachable_server_fails_every_message_with_the_reason(
    workspace, campaign, smtp, settings
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    batch = services.send_outreach(campaign, template(workspace), roster(campaign, "ada", "bob"))
    assert delivery.deliver_batch(batch.pk).failed == 2
    errors = set(OutboxMessage.objects.values_list("error", flat=True))
    assert len(errors) == 1 and errors.pop().startswith("could not connect to the mail server")
    batch.refresh_from_db()
    assert batch.status == "done"


def test_a_live_claim_is_respected_and_a_taken_over_one_is_not_sent_twice(
    workspace, campaign, smtp
):
    people = roster(campaign, "ada", "bob")
    batch = services.send_outreach(campaign, template(workspace), people)
    ids = delivery._pending_ids(batch.pk, delivery.STALE_CLAIM_AFTER)
    slow_worker = delivery._claim(ids, "slow-worker", delivery.STALE_CLAIM_AFTER)
    assert len(slow_worker) == 2
    assert delivery.deliver_batch(batch.pk).sent == 0  # the claim is a live lease
    assert delivery.deliver_batch(batch.pk, stale_after=timedelta(0)).sent == 2  # expired
    report = delivery.DeliveryReport()
    delivery._send_chunk(slow_worker, "slow-worker", report)  # the slow worker wakes up
    assert report.taken_over == 2 and report.sent == 0
    assert smtp.recipients() == sorted(p.email for p in people)


# --- a worker killed mid-batch ----------------------------------------------------------------


def shared_database(tmp_path: Path) -> tuple[str, object]:
    """A DATABASE_URL another process can open with the test's data, and a function that
    brings that process's writes back. SQLite's test database lives in memory, so it is
    copied to a file and back; PostgreSQL's is shared as it is (the test is transactional)."""
    if connection.vendor != "sqlite":
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        url = f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        return url, lambda: None
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)

    def bring_back() -> None:
        with sqlite3.connect(path) as copy:
            copy.backup(connection.connection)

    return f"sqlite:///{path}", bring_back


def delivery_process(
    batch_id: int, database_url: str, smtp_port: int, tmp_path: Path, *options: str
) -> subprocess.Popen:
    src = str(Path(inviteflow.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INVITEFLOW_VAR_DIR": str(tmp_path),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PYTHONPATH": src,
        "DJANGO_SETTINGS_MODULE": "inviteflow.settings",
    }
    command = [
        sys.executable,
        "-m",
        "inviteflow.cli",
        "outreach_deliver",
        f"--batch={batch_id}",
        *options,
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_one_email_per_creator(
    workspace, campaign, smtp, tmp_path
):
    """SIGKILL lands at the worst moment: the SMTP server holds message 3 and the worker has
    not heard so. The rerun must not send 1–3 again, and must send 4–8."""
    people = roster(campaign, *(f"creator{i}" for i in range(8)), links=1)
    batch = services.send_outreach(campaign, template(workspace), people)
    database_url, bring_back = shared_database(tmp_path)
    worker = delivery_process(batch.pk, database_url, smtp.port, tmp_path)

    def kill_after_third(count: int) -> None:
        if count == 3:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

    smtp.on_message = kill_after_third
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode()
    bring_back()
    smtp.on_message = None
    left = list(OutboxMessage.objects.order_by("pk").values_list("status", "handed_at"))
    assert {status for status, _ in left} == {Status.SENDING}  # acceptances not recorded yet
    assert [handed is not None for _, handed in left] == [True] * 3 + [False] * 5

    assert delivery.deliver_batch(batch.pk).sent == 0  # the dead worker's lease is still live
    report = delivery.deliver_batch(batch.pk, stale_after=timedelta(0))  # …until it expires
    assert (report.unknown, report.sent) == (1, 5)
    assert smtp.recipients() == sorted(p.email for p in people)
    outcome = list(OutboxMessage.objects.order_by("pk").values_list("status", "error"))
    assert outcome[:2] == [(Status.SENT, "")] * 2  # handed before the latest: accepted
    assert outcome[2] == (Status.FAILED, delivery.UNKNOWN_OUTCOME)  # in flight: never resent
    assert outcome[3:] == [(Status.SENT, "")] * 5


@pytest.mark.django_db(transaction=True)
def test_several_connections_deliver_each_message_once(workspace, campaign, smtp, tmp_path):
    people = roster(campaign, *(f"c{i}" for i in range(130)), links=1)
    batch = services.send_outreach(campaign, template(workspace), people)
    database_url, bring_back = shared_database(tmp_path)
    worker = delivery_process(batch.pk, database_url, smtp.port, tmp_path, "--connections=4")
    assert worker.wait(timeout=60) == 0, worker.stderr.read().decode()
    bring_back()
    assert smtp.recipients() == sorted(p.email for p in people)
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 130


def test_the_sweep_finishes_batches_no_worker_picked_up(workspace, campaign, smtp):
    people = roster(campaign, "ada", "bob")
    batch = services.send_outreach(campaign, template(workspace), people)
    assert delivery.sweep() == []  # fresh work belongs to the task just enqueued
    assert delivery.sweep(stale_after=timedelta(0)) == [batch.pk]
    assert smtp.recipients() == sorted(p.email for p in people)
