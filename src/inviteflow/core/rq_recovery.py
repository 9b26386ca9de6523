"""RQ's side of `core.workers.recover_abandoned_tasks`.

RQ notices a job whose worker died when its execution stops being renewed (about 90 s), but
only marks it failed at its next registry maintenance, minutes later, and never runs it again.
We run that maintenance on the scheduler's beat and enqueue such jobs again.
"""

from typing import cast

import django_rq
from django.conf import settings
from django_tasks_rq.backend import Job
from rq.exceptions import NoSuchJobError
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from inviteflow.core.enqueue import enqueue_again


def recover(at: float | None = None) -> list[str]:
    """Jobs whose execution RQ stopped seeing renewed (before `at`, default now)."""
    recovered = []
    for name in settings.TASK_QUEUES:
        registry = StartedJobRegistry(queue=django_rq.get_queue(name, job_class=Job))
        abandoned = _abandoned(registry, at)
        registry.cleanup(at)  # marks them failed (AbandonedJobError), as django-tasks sees them
        for job in abandoned:
            enqueue_again(job.func_name or "", list(job.args), job.kwargs)
            recovered.append(job.id)
    return recovered


def _abandoned(registry: StartedJobRegistry, at: float | None) -> list[Job]:
    jobs: list[Job] = []
    for job_id in registry.get_expired_job_ids(at):
        try:
            job = cast(Job, Job.fetch(job_id, connection=registry.connection))
        except NoSuchJobError:
            continue
        if job.get_status(refresh=False) == JobStatus.STARTED:
            jobs.append(job)
    return jobs
