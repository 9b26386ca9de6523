"""Seed the `demo` workspace and a demo login, idempotently (`make run` calls it each start)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from inviteflow.accounts import services
from inviteflow.accounts.models import Role, User, Workspace
from inviteflow.env import persistent_secret
from inviteflow.outbound import http_client
from inviteflow.tiktok.connections import connect_with_token, get_connection

DEMO_EMAIL = "demo@inviteflow.local"


class Command(BaseCommand):
    help = "Create the demo workspace and user if missing, and print the login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--connect-sandbox",
            metavar="URL",
            help="connect the demo workspace to the TikTok sandbox at URL (its demo brand)",
        )

    def handle(self, *args, connect_sandbox: str | None = None, **options):
        password = persistent_secret(settings.VAR_DIR / "demo_password")[:16]
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                email=DEMO_EMAIL, password=password, is_staff=True, is_superuser=True
            )
        workspace = Workspace.objects.filter(slug="demo").first()
        if workspace is None:
            workspace = services.create_workspace("demo", "Demo Brand", owner=user)
        services.set_member(workspace, user, Role.OWNER)
        if connect_sandbox and get_connection(workspace) is None:
            connect_to_sandbox(workspace, connect_sandbox)
            self.stdout.write("Demo workspace connected to the TikTok sandbox.")
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {password}")


def connect_to_sandbox(workspace: Workspace, sandbox_url: str) -> None:
    """Ask the sandbox for its demo brand's credentials and connect with them."""
    with http_client(base_url=sandbox_url, timeout=10) as http:
        credentials = http.get("/sandbox/credentials").raise_for_status().json()
    account, token = credentials["tto_tcm_account_id"], credentials["access_token"]
    connect_with_token(workspace, account, token, interactive=False)
