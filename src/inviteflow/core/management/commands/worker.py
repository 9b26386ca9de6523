"""`inviteflow worker`: run background tasks with the configured backend.

The database backend (django-tasks-db) by default; RQ when TASKS_BACKEND=rq, with
django-tasks-rq's job class and RQ's scheduler (so tasks enqueued for later run). Either way
the worker beats (core.workers), so `inviteflow status` lists it and its tasks are failed and
enqueued again if it dies.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from inviteflow.core.enqueue import autodiscover
from inviteflow.core.workers import beating, new_worker_id


class Command(BaseCommand):
    help = "Run a task worker (django-tasks-db by default, RQ when TASKS_BACKEND=rq)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues",
            default=",".join(settings.TASK_QUEUES),
            help=f"comma-separated queues to work on (default: {','.join(settings.TASK_QUEUES)})",
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls (db)"
        )

    def handle(self, *args, queues: str, interval: float, **options):
        names = self._queues(queues)
        autodiscover()
        worker_id = new_worker_id()
        self.stdout.write(f"worker {worker_id}: {settings.TASKS_BACKEND} queues {','.join(names)}")
        with beating(worker_id, names):
            if settings.TASKS_BACKEND == "rq":
                call_command(
                    "rqworker",
                    *names,
                    job_class="django_tasks_rq.backend.Job",
                    with_scheduler=True,
                    name=worker_id,
                )
            else:
                call_command(
                    "db_worker",
                    f"--queue-name={','.join(names)}",
                    f"--interval={interval}",
                    f"--worker-id={worker_id}",
                    "--no-startup-delay",
                )

    def _queues(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in settings.TASK_QUEUES]
        if unknown or not names:
            known = ", ".join(settings.TASK_QUEUES)
            raise CommandError(f"--queues: {', '.join(unknown) or 'none given'}; known: {known}")
        return names
