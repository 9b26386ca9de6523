"""`inviteflow sandbox`: serve the bundled TikTok emulator (its own package and storage)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the TikTok sandbox on http://127.0.0.1:8001 (SANDBOX_PORT)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", 8001)))
        parser.add_argument("--db", default=str(settings.VAR_DIR / "tiktok_sandbox.sqlite3"))

    def handle(self, *args, host: str, port: int, db: str, **options):
        from tiktok_sandbox.app import serve

        self.stdout.write(f"TikTok sandbox on http://{host}:{port}")
        serve(host=host, port=port, db_path=db)
