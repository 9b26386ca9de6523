"""Periodic jobs: a registry of (name, interval, enqueue function), claimed through the database.

Apps register their jobs in their tasks.py: `every(seconds, task_name)` enqueues a registered
task; `@periodic(name, every_seconds)` runs a small function in the scheduler itself. The
scheduler process calls `run_due_jobs()` every few seconds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inviteflow.core.enqueue import autodiscover, enqueue_on_commit
from inviteflow.core.models import ScheduledJob


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    enqueue: Callable[[], None]


REGISTRY: dict[str, PeriodicJob] = {}
__all__ = ["REGISTRY", "autodiscover", "every", "periodic", "run_due_jobs"]


def periodic(name: str, every_seconds: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(enqueue: Callable[[], None]) -> Callable[[], None]:
        REGISTRY[name] = PeriodicJob(name, timedelta(seconds=every_seconds), enqueue)
        return enqueue

    return register


def every(seconds: float, task_name: str) -> None:
    """Enqueue the registered task `task_name` every `seconds` (the job takes its name)."""
    periodic(task_name, seconds)(partial(enqueue_on_commit, task_name))


def _claim(job: PeriodicJob) -> bool:
    """True for exactly one caller per due period."""
    now = timezone.now()
    try:
        ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    except IntegrityError:
        pass  # another scheduler created it first
    claimed = ScheduledJob.objects.filter(Q(name=job.name) & Q(next_run_at__lte=now)).update(
        next_run_at=now + job.every, last_run_at=now
    )
    return claimed == 1


def run_due_jobs() -> list[str]:
    enqueued = []
    for job in REGISTRY.values():
        if _claim(job):
            with transaction.atomic():
                job.enqueue()
            enqueued.append(job.name)
    return enqueued
