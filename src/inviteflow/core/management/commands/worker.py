"""`inviteflow worker`: run background tasks with the configured backend."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a task worker (django-tasks-db by default, RQ when TASKS_BACKEND=rq)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls (db)"
        )

    def handle(self, *args, interval: float, **options):
        if settings.TASKS_BACKEND == "rq":
            call_command("rqworker", "default", with_scheduler=False)
        else:
            call_command(
                "db_worker", "--queue-name=*", f"--interval={interval}", "--no-startup-delay"
            )
