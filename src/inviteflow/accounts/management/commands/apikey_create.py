from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts import services
from inviteflow.accounts.models import Workspace


class Command(BaseCommand):
    help = "Create an API key and print it (shown once): inviteflow apikey create --workspace SLUG"

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--read-only", action="store_true", help="the key may only read")
        parser.add_argument("--name", default="CLI key")

    def handle(self, *args, workspace: str, read_only: bool, name: str, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"--workspace: no workspace with slug {workspace!r}")
        _, key = services.create_api_key(found, name, read_only=read_only)
        self.stdout.write(key)
