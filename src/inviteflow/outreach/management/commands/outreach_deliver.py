"""`inviteflow outreach_deliver`: deliver queued outreach email in the foreground.

The worker normally does this; the command is for operators (send a stuck batch now,
see what happens) and for the crash tests, which kill it mid-batch.
"""

from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from inviteflow.outreach import delivery


class Command(BaseCommand):
    help = "Deliver an outreach batch's queued emails now, or sweep up what dead workers left."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, help="the batch id (from its page's URL)")
        parser.add_argument(
            "--connections",
            type=int,
            default=None,
            help="SMTP connections side by side (default: the setting, 4)",
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="every batch with stale work, as the periodic sweep does",
        )

    def handle(self, *args, batch: int | None, sweep: bool, connections: int | None, **options):
        if sweep:
            self.stdout.write(f"swept batches: {delivery.sweep()}")
        elif batch is not None:
            report = delivery.deliver_batch(batch, connections=connections)
            self.stdout.write(str(asdict(report)))
        else:
            raise CommandError("give --batch ID or --sweep")
