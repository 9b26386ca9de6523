import getpass

from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts import services
from inviteflow.accounts.models import Role, User, Workspace


class Command(BaseCommand):
    help = "Create a user who logs in with email + password, optionally a member of a workspace."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="prompted for when omitted")
        parser.add_argument("--workspace", help="workspace slug to join")
        parser.add_argument("--role", default=Role.MANAGER, choices=Role.values)
        parser.add_argument("--staff", action="store_true", help="may use the Django admin")

    def handle(self, *args, email, password, workspace, role, staff, **options):
        if User.objects.filter(email=email.lower()).exists():
            raise CommandError(f"--email: a user with email {email} already exists")
        target = None
        if workspace:
            target = Workspace.objects.filter(slug=workspace).first()
            if target is None:
                raise CommandError(f"--workspace: no workspace with slug {workspace!r}")
        password = password or getpass.getpass("Password: ")
        user = User.objects.create_user(
            email=email, password=password, is_staff=staff, is_superuser=staff
        )
        if target is not None:
            services.set_member(target, user, role)
        self.stdout.write(f"Created user {user.email}")
