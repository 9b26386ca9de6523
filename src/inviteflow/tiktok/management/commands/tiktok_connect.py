"""`inviteflow tiktok connect --workspace SLUG --account ID --token TOKEN` (headless OAuth)."""

from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts.models import Workspace
from inviteflow.tiktok import connections, errors


class Command(BaseCommand):
    help = "Connect a workspace to a TikTok One account with an access token."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--account", required=True, help="TikTok One (TTO) account id")
        parser.add_argument("--token", required=True, help="the account's access token")

    def handle(self, *args, workspace: str, account: str, token: str, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"--workspace: no workspace with slug {workspace!r}")
        try:
            connection = connections.connect_with_token(found, account, token, interactive=False)
        except ValueError as exc:
            raise CommandError(f"--{exc}") from exc
        except errors.TikTokError as exc:
            raise CommandError(f"TikTok refused: {exc.message} (code {exc.code})") from exc
        name = connection.account_name or connection.account_id
        self.stdout.write(f"{found.slug} is connected to TikTok One account {name}")
