"""`inviteflow backup [PATH]`: a consistent copy of the embedded SQLite database, taken while
the app runs (SQLite's online backup API). PostgreSQL is backed up with pg_dump instead."""

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

POSTGRES_HINT = (
    "this database is PostgreSQL: back it up with pg_dump, e.g. "
    'pg_dump --format=custom --file=inviteflow.dump "$DATABASE_URL" (README: Backups)'
)


class Command(BaseCommand):
    help = "Copy the SQLite database consistently while the app runs (PostgreSQL: pg_dump)"

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default="", help="file or directory (default var/backups/)"
        )

    def handle(self, *args, path: str, **options):
        if connection.vendor != "sqlite":
            raise CommandError(POSTGRES_HINT)
        source = Path(connection.settings_dict["NAME"])
        target = backup_path(path)
        started = time.monotonic()
        copy_database(source, target)
        size = target.stat().st_size / 1024 / 1024
        self.stdout.write(
            f"Backed up {source} to {target} ({size:.1f} MiB, {time.monotonic() - started:.1f} s)"
        )


def backup_path(given: str) -> Path:
    """`given`, or a time-stamped file in it when it is a directory; never an existing file."""
    name = f"inviteflow-{timezone.now():%Y%m%d-%H%M%S}.sqlite3"
    target = Path(given) if given else Path(settings.VAR_DIR) / "backups" / name
    if target.is_dir():
        target = target / name
    if target.exists():
        raise CommandError(f"path: {target} exists already; give a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def copy_database(source: Path, target: Path) -> None:
    """Copy in one step: the copy is the database as of one moment, while writers go on (WAL).
    Written beside the target and renamed, so a failed copy leaves no half file."""
    partial = target.with_name(target.name + ".partial")
    try:
        with closing(sqlite3.connect(source, timeout=20)) as src:
            with closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise CommandError("the copy failed SQLite's quick_check")
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(target)
