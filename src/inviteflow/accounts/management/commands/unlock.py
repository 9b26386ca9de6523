from axes.utils import reset
from django.core.management.base import BaseCommand, CommandError

from inviteflow.accounts import throttle


class Command(BaseCommand):
    help = (
        "Lift a login lock: inviteflow unlock EMAIL (an account), or "
        "inviteflow unlock --address IP (a client address)"
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="", help="the account's email")
        parser.add_argument("--address", default="", help="a locked client address")

    def handle(self, *args, email: str, address: str, **options):
        if not email and not address:
            raise CommandError("give an EMAIL, or --address IP")
        if email:
            cleared = throttle.unlock(email)
            self.stdout.write(f"{email}: unlocked ({cleared} failed-login record(s) cleared)")
        if address:
            cleared = reset(ip=address.strip())
            self.stdout.write(f"{address}: unlocked ({cleared} failed-login record(s) cleared)")
