"""`inviteflow backup`: a consistent copy of the SQLite database taken while another
connection writes, which then serves as the database; PostgreSQL is refused with pg_dump."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inviteflow.accounts import services

pytestmark = pytest.mark.django_db(transaction=True)

READ_BACK = """
import django
django.setup()
from inviteflow.accounts.models import Workspace
print(Workspace.objects.filter(slug__startswith="ws-").count())
print(Workspace.objects.get(slug="acme-backup").name)
"""


class Writer(threading.Thread):
    """Another connection adding numbered workspaces, one commit each, until stopped."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database, self.written, self.stop = database, 0, threading.Event()

    def run(self) -> None:
        with sqlite3.connect(self.database, timeout=20) as db:
            while not self.stop.is_set():
                n = self.written + 1
                db.execute(
                    "INSERT INTO accounts_workspace (slug, name, created_at) "
                    "VALUES (?, ?, CURRENT_TIMESTAMP)",
                    (f"ws-{n:06d}", "x" * 400),
                )
                db.commit()
                self.written = n


def numbers_in(backup: Path) -> list[int]:
    with sqlite3.connect(backup) as db:
        rows = db.execute("SELECT slug FROM accounts_workspace WHERE slug LIKE 'ws-%'")
        return sorted(int(slug[3:]) for (slug,) in rows)


@pytest.fixture
def database() -> str:
    if connection.vendor != "sqlite":
        pytest.skip("backup copies the embedded SQLite database")
    return connection.settings_dict["NAME"]


def test_backup_while_another_connection_writes_restores_with_the_data(database, tmp_path):
    services.create_workspace("acme-backup", "Acme Backup")
    writer = Writer(database)
    writer.start()
    while writer.written < 2000:  # a database big enough that the copy takes a while
        writer.stop.wait(0.01)
    call_command("backup", str(tmp_path / "copy.sqlite3"))
    writer.stop.set()
    writer.join()

    found = numbers_in(tmp_path / "copy.sqlite3")
    assert found == list(range(1, len(found) + 1))  # one moment's state: no gaps
    assert 2000 <= len(found) <= writer.written
    restored = tmp_path / "restored"
    restored.mkdir()
    (tmp_path / "copy.sqlite3").rename(restored / "inviteflow.sqlite3")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(INVITEFLOW_VAR_DIR=str(restored), DJANGO_SETTINGS_MODULE="inviteflow.settings")
    result = subprocess.run(
        [sys.executable, "-c", READ_BACK], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [str(len(found)), "Acme Backup"]


def test_backup_into_a_directory_names_the_file_and_never_overwrites(database, tmp_path, capsys):
    call_command("backup", str(tmp_path))
    [made] = tmp_path.glob("inviteflow-*.sqlite3")
    assert f"to {made}" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(made))


def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://inviteflow@127.0.0.1:1/inviteflow",
        "INVITEFLOW_VAR_DIR": str(tmp_path),
    }
    inviteflow = Path(sys.executable).parent / "inviteflow"
    result = subprocess.run(
        [str(inviteflow), "backup", str(tmp_path / "x")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "pg_dump" in result.stderr
    assert not (tmp_path / "x").exists()
