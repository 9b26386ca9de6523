"""Task workers: their heartbeats, and the tasks a dead worker left behind.

`inviteflow worker` beats into `WorkerBeat` on both task backends. The scheduler runs
`recover_abandoned_tasks` (core/tasks.py): the tasks of dead workers are failed and enqueued
again, so none stays RUNNING after its worker is gone. Every inviteflow task is idempotent,
so running one again is safe (the work itself is also guarded by claims, e.g. on links).
"""

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from inviteflow.core.enqueue import enqueue_again
from inviteflow.core.models import WorkerBeat

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """Unique across machines and restarts; readable in `inviteflow status`."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


def alive_since() -> datetime:
    return timezone.now() - timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)


def live_worker_ids() -> set[str]:
    return set(
        WorkerBeat.objects.filter(last_seen__gte=alive_since()).values_list("worker_id", flat=True)
    )


@contextmanager
def beating(worker_id: str, queues: list[str]) -> Iterator[None]:
    """Beat every WORKER_BEAT_SECONDS while the body runs; forget the worker when it ends."""
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "backend": settings.TASKS_BACKEND,
            "queues": ",".join(queues),
            "started_at": now,
            "last_seen": now,
        },
    )
    stopped = threading.Event()
    thread = threading.Thread(target=_beat, args=(worker_id, stopped), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join(timeout=5)
        WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _beat(worker_id: str, stopped: threading.Event) -> None:
    while not stopped.wait(settings.WORKER_BEAT_SECONDS):
        try:
            close_old_connections()
            WorkerBeat.objects.filter(worker_id=worker_id).update(last_seen=timezone.now())
        except Exception:  # a database blip must not end the worker; the next beat retries
            log.warning("worker %s could not beat", worker_id, exc_info=True)
    connection.close()


def recover_abandoned_tasks() -> None:
    """Fail and enqueue again the tasks whose worker died; forget long-dead workers."""
    if settings.TASKS_BACKEND == "rq":
        from inviteflow.core import rq_recovery  # RQ's modules load only where RQ is used

        rq_recovery.recover()
    else:
        _recover_db_tasks()
    WorkerBeat.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()


def _recover_db_tasks() -> list[str]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    live = live_worker_ids()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    recovered = []
    for result in running.only("id", "worker_ids", "task_path", "args_kwargs"):
        if result.worker_ids and result.worker_ids[-1] in live:
            continue
        if _fail_abandoned(str(result.pk)):
            parts = result.args_kwargs
            enqueue_again(result.task_path, parts.get("args", []), parts.get("kwargs", {}))
            recovered.append(str(result.pk))
    return recovered


def _fail_abandoned(result_id: str) -> bool:
    """Mark the result failed; False when its worker finished it meanwhile."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    failed = DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="inviteflow.core.workers.WorkerDied",
        traceback="The worker running this task stopped beating; the task was enqueued again.",
    )
    return failed == 1


class WorkerDied(Exception):
    """The exception class recorded on a task whose worker died while running it."""
