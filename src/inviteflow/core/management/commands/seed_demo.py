"""Seed the `demo` workspace and a demo login, idempotently (`make run` calls it each start)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from inviteflow.accounts import services
from inviteflow.accounts.models import Role, User, Workspace
from inviteflow.env import persistent_secret

DEMO_EMAIL = "demo@inviteflow.local"


class Command(BaseCommand):
    help = "Create the demo workspace and user if missing, and print the login."

    def handle(self, *args, **options):
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
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {password}")
