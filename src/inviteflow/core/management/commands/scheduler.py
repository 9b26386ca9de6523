"""`inviteflow scheduler`: enqueue periodic work when it is due.

Safe to run on one machine while many workers run elsewhere: each due job is
claimed with a conditional UPDATE, so two schedulers never enqueue it twice.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from inviteflow.core.scheduler import autodiscover, run_due_jobs


class Command(BaseCommand):
    help = "Enqueue due periodic tasks (sync, compliance scans, insights refresh)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, tick: float, once: bool, **options):
        self.stopping = threading.Event()
        autodiscover()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while not self.stopping.is_set():
            for name in run_due_jobs():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            self.stopping.wait(tick)  # a stop ends the wait at once, not after the tick

    def _stop(self, signum, frame):
        self.stopping.set()
