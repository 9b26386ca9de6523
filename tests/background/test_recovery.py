"""Workers beat; a task whose worker died is failed and enqueued again, never left RUNNING."""

import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from inviteflow.campaigns import services as campaigns
from inviteflow.core import workers
from inviteflow.core.models import WorkerBeat
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from tests.background.test_through_workers import wait_for
from tests.processes import kill_machine

pytestmark = pytest.mark.django_db(transaction=True)
db_backend_only = pytest.mark.skipif(
    settings.TASKS_BACKEND != "db", reason="RQ notices dead workers itself (core/rq_recovery.py)"
)
BEATING = {"WORKER_BEAT_SECONDS": "0.3"}


def test_an_unknown_queue_is_refused_by_name():
    with pytest.raises(CommandError, match="--queues: mail; known: tiktok, email, default"):
        call_command("worker", queues="tiktok,mail")


@pytest.mark.background_work
def test_a_worker_beats_while_it_runs_and_is_forgotten_when_it_stops(start_worker):
    worker = start_worker("--queues", "email", **BEATING)
    wait_for(lambda: WorkerBeat.objects.exists(), 30, "the worker's first beat")
    beat = WorkerBeat.objects.get()
    assert (beat.pid, beat.queues, beat.backend) == (worker.pid, "email", settings.TASKS_BACKEND)
    wait_for(lambda: WorkerBeat.objects.get().last_seen > beat.last_seen, 10, "a second beat")
    worker.send_signal(signal.SIGTERM)
    worker.wait(20)
    assert not WorkerBeat.objects.exists(), "a worker that stops cleanly says so"


@db_backend_only
@pytest.mark.background_work
def test_the_task_of_a_killed_worker_is_failed_and_enqueued_again(
    tiktok_connected, live_sandbox, workspace, start_worker, settings
):
    settings.WORKER_DEAD_AFTER_SECONDS = 2
    live_sandbox.faults(latency_ms=400)
    campaign = campaigns.create_campaign(
        workspace, name="Slow", starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 31)
    )
    creators = [Creator(workspace=workspace, name=f"S {i}", handle=f"slow_{i}") for i in range(20)]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(creators))
    worker = start_worker(LINK_PROVISIONING_CONCURRENCY="1", LINK_CLAIM_SECONDS="2", **BEATING)
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    wait_for(running.exists, 30, "provisioning to start")
    killed = running.get()
    kill_machine(worker)

    workers.recover_abandoned_tasks()
    assert DBTaskResult.objects.get(pk=killed.pk).status == TaskResultStatus.RUNNING, (
        "a worker is not declared dead before WORKER_DEAD_AFTER_SECONDS"
    )
    wait_for(
        lambda: workers.recover_abandoned_tasks() or not running.filter(pk=killed.pk).exists(),
        10,
        "the dead worker's task to be failed",
    )
    failed = DBTaskResult.objects.get(pk=killed.pk)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path.endswith("WorkerDied")
    again = DBTaskResult.objects.filter(task_path=killed.task_path, status="READY")
    assert again.count() == 1 and again.get().args_kwargs == killed.args_kwargs

    wait_for(lambda: not claimed(campaign).exists(), 10, "the dead worker's claims to expire")
    start_worker(LINK_PROVISIONING_CONCURRENCY="4", LINK_CLAIM_SECONDS="2", **BEATING)
    links = InviteLink.objects.filter(campaign=campaign)
    wait_for(lambda: links.filter(status="active").count() == 20, 90, "the retried task")


def claimed(campaign):
    """Links a live run is working on. A retried task leaves them to their claimer (and to
    `provision_stalled` once the claims expire, which needs the scheduler these tests omit)."""
    return InviteLink.objects.filter(campaign=campaign, claimed_until__gt=timezone.now())


def test_the_worker_command_runs_under_its_own_name():
    """`inviteflow worker --help` names the queues an operator can place."""
    out = subprocess.run(
        [sys.executable, "-m", "inviteflow.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--queues" in out and "tiktok,email,default" in out


@pytest.mark.skipif(settings.TASKS_BACKEND != "rq", reason="RQ's own registry of started jobs")
@pytest.mark.background_work
def test_an_rq_job_whose_worker_died_is_failed_and_enqueued_again(
    tiktok_connected, live_sandbox, workspace, start_worker
):
    """RQ sees the execution stop being renewed ~90 s after the death; the recovery is asked
    as if that time had passed."""
    import django_rq
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from inviteflow.core import rq_recovery

    live_sandbox.faults(latency_ms=400)
    campaign = campaigns.create_campaign(
        workspace, name="Slow", starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 31)
    )
    creators = [Creator(workspace=workspace, name=f"S {i}", handle=f"slow_{i}") for i in range(20)]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(creators))
    worker = start_worker(LINK_PROVISIONING_CONCURRENCY="1", LINK_CLAIM_SECONDS="2")
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    queue = django_rq.get_queue("tiktok")
    # RQ lists the job as started before it forks the work horse: wait for the horse's claims.
    wait_for(lambda: claimed(campaign).exists(), 30, "provisioning to start")
    assert StartedJobRegistry(queue=queue).count == 1
    kill_machine(worker)  # the worker, its work horse and its RQ scheduler

    assert rq_recovery.recover() == [], "not abandoned before RQ's heartbeat expires"
    recovered = rq_recovery.recover(at=time.time() + 300)
    assert len(recovered) == 1
    assert FailedJobRegistry(queue=queue).get_job_ids() == recovered
    assert len(queue.get_job_ids()) == 1, "the same task, enqueued again"

    wait_for(lambda: not claimed(campaign).exists(), 10, "the dead work horse's claims to expire")
    start_worker(LINK_PROVISIONING_CONCURRENCY="4")
    links = InviteLink.objects.filter(campaign=campaign)
    wait_for(lambda: links.filter(status="active").count() == 20, 90, "the retried task")
