"""`inviteflow tiktok doctor --workspace SLUG [--write-probe] [--handle HANDLE]`."""

from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts.models import Workspace
from inviteflow.tiktok import doctor
from inviteflow.tiktok.connections import NotConnected


class Command(BaseCommand):
    help = (
        "Probe every TikTok endpoint inviteflow uses with the workspace's connection, at the "
        "configured sizes and one step above; print PASS / FAIL / LIMIT and save the redacted "
        "answers under var/tiktok-doctor/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument(
            "--handle",
            default="tiktok",
            help="a creator handle for the creator probes (default: tiktok)",
        )
        parser.add_argument(
            "--write-probe",
            action="store_true",
            help="WRITES TO TIKTOK: create one test campaign object (inviting --handle) and "
            "report how TikTok echoes it back",
        )

    def handle(self, *args, workspace: str, handle: str, write_probe: bool, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"--workspace: no workspace with slug {workspace!r}")
        try:
            report = doctor.run(found, handle=handle, write_probe=write_probe)
        except NotConnected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(doctor.table(report))
        for key, value in report.write_probe.items():
            self.stdout.write(f"write probe: {key} = {value}")
        self.stdout.write(f"\nAnswers saved (redacted) in {report.saved_to}")
        if not report.ok:
            raise CommandError("Some probes failed: see the table above.")
