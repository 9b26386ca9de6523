"""Seed the `demo` workspace, a demo login and — with a sandbox — a campaign in flight.

Idempotent: `make run` calls it on every start and it changes nothing once the demo exists.
`--reset` deletes the demo workspace first (and resets the sandbox given with
`--connect-sandbox`: its clock, creators and videos), then seeds it again.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from inviteflow.accounts import services
from inviteflow.accounts.models import Role, User, Workspace
from inviteflow.env import persistent_secret
from inviteflow.outbound import http_client
from inviteflow.overview import demo
from inviteflow.tiktok.connections import connect_with_token, get_connection

DEMO_EMAIL = "demo@inviteflow.local"
DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = "Create the demo workspace and user if missing, and print the login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--connect-sandbox",
            metavar="URL",
            help="connect the demo workspace to the TikTok sandbox at URL (its demo brand) "
            "and seed a campaign in flight",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo workspace (and reset the sandbox given) and seed it again",
        )

    def handle(self, *args, connect_sandbox: str | None = None, reset: bool = False, **options):
        password = persistent_secret(settings.VAR_DIR / "demo_password")[:16]
        if reset:
            self._reset(connect_sandbox)
        user = demo_user(password)
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            workspace = services.create_workspace(DEMO_SLUG, "Demo Brand", owner=user)
        services.set_member(workspace, user, Role.OWNER)
        if connect_sandbox:
            self._seed_with_sandbox(workspace, user, connect_sandbox)
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {password}")

    def _reset(self, sandbox_url: str | None) -> None:
        Workspace.objects.filter(slug=DEMO_SLUG).delete()
        if sandbox_url:
            with http_client(base_url=sandbox_url, timeout=10) as http:
                http.post("/sandbox/reset").raise_for_status()
        self.stdout.write("Demo workspace deleted.")

    def _seed_with_sandbox(self, workspace: Workspace, user: User, sandbox_url: str) -> None:
        # The sandbox's developer app, whatever this process's settings say (run by hand).
        credentials = sandbox_credentials(sandbox_url)
        with override_settings(
            TIKTOK_API_BASE_URL=sandbox_url.rstrip("/"),
            TIKTOK_APP_ID=credentials["app_id"],
            TIKTOK_APP_SECRET=credentials["secret"],
        ):
            if get_connection(workspace) is None:
                account, token = credentials["tto_tcm_account_id"], credentials["access_token"]
                connect_with_token(workspace, account, token, interactive=False)
                self.stdout.write("Demo workspace connected to the TikTok sandbox.")
            if demo.demo_campaign(workspace) is None:
                self._seed_campaign(workspace, user, sandbox_url)

    def _seed_campaign(self, workspace: Workspace, user: User, sandbox_url: str) -> None:
        """`make run` starts anyway when the sandbox misbehaves: the demo is not essential."""
        started = time.monotonic()
        try:
            campaign = demo.seed_campaign(workspace, user, sandbox_url)
        except Exception as exc:
            self.stderr.write(
                f"The demo campaign could not be seeded ({exc!r}); "
                f"`inviteflow seed_demo --reset --connect-sandbox {sandbox_url}` starts it over."
            )
            return
        seconds = time.monotonic() - started
        self.stdout.write(f"Demo campaign “{campaign.name}” seeded in {seconds:.1f} s.")


def demo_user(password: str) -> User:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=DEMO_EMAIL, password=password, is_staff=True, is_superuser=True
        )
    return user


def sandbox_credentials(sandbox_url: str) -> dict[str, str]:
    """The sandbox's developer app and demo brand (its `/sandbox/credentials`)."""
    with http_client(base_url=sandbox_url, timeout=10) as http:
        return http.get("/sandbox/credentials").raise_for_status().json()
