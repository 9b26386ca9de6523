from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts import services
from inviteflow.accounts.models import User


class Command(BaseCommand):
    help = "Create a workspace: inviteflow workspace create --slug SLUG NAME [--owner EMAIL]"

    def add_arguments(self, parser):
        parser.add_argument("name", help="display name, e.g. 'Acme Beauty'")
        parser.add_argument("--slug", required=True, help="short URL name, e.g. acme")
        parser.add_argument("--owner", help="email of an existing user who becomes its owner")

    def handle(self, *args, name: str, slug: str, owner: str | None, **options):
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email=owner.lower()).first()
            if owner_user is None:
                raise CommandError(f"--owner: no user with email {owner}")
        try:
            workspace = services.create_workspace(slug, name, owner=owner_user)
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"Created workspace {workspace.slug} ({workspace.name})")
