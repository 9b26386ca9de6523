"""Data that does not grow forever: what each table keeps, and the pruning that enforces it.

Apps say how their old rows go in a `retention.py` module, with `@pruner(name, Model)` on a
function that takes the moment of the run and returns the rows it deleted or emptied.
`inviteflow prune` and the scheduled `core.prune_old_data` job run them all; each run is
measured (rows and bytes of the table, before and after).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

Prune = Callable[[datetime], int]


@dataclass(frozen=True)
class Pruner:
    name: str
    model: type[Model]
    prune: Prune


@dataclass(frozen=True)
class TableSize:
    rows: int
    bytes: int | None  # None where the database cannot say


@dataclass(frozen=True)
class Pruned:
    name: str
    table: str
    changed: int
    before: TableSize
    after: TableSize


PRUNERS: dict[str, Pruner] = {}
_DISCOVERED: list[bool] = []


def pruner(name: str, model: type[Model]) -> Callable[[Prune], Prune]:
    def register(prune: Prune) -> Prune:
        PRUNERS[name] = Pruner(name, model, prune)
        return prune

    return register


def discover() -> None:
    """Import every inviteflow app's `retention` module, where its pruners register."""
    if _DISCOVERED:
        return
    _DISCOVERED.append(True)
    for config in apps.get_app_configs():
        module = f"{config.name}.retention"
        if config.name.startswith("inviteflow.") and find_spec(module):
            import_module(module)


def prune_all(now: datetime | None = None) -> list[Pruned]:
    discover()
    moment = now or timezone.now()
    return [_run(found, moment) for found in PRUNERS.values()]


def _run(found: Pruner, now: datetime) -> Pruned:
    before = table_size(found.model)
    changed = found.prune(now)
    table = found.model._meta.db_table
    return Pruned(found.name, table, changed, before, table_size(found.model))


def table_size(model: type[Model]) -> TableSize:
    rows = model._default_manager.count()
    return TableSize(rows, _table_bytes(model._meta.db_table))


def _table_bytes(table: str) -> int | None:
    """Space the table and its indexes take: on SQLite the bytes its pages hold (space freed
    inside a page, or whole pages, is reused before the file grows); on PostgreSQL the
    relation's size on disk (which shrinks only after a VACUUM FULL, but is reused too)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT SUM(pgsize - unused) FROM dbstat WHERE name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = %s)",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        else:
            return None
        return int(cursor.fetchone()[0] or 0)


# -- What core keeps ------------------------------------------------------------------------


@pruner("core.finished_task_results", DBTaskResult)
def prune_task_results(now: datetime) -> int:
    """Finished background tasks' results, after TASK_RESULT_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    old = DBTaskResult.objects.filter(status__in=finished, finished_at__lt=cutoff)
    return old.delete()[0]


@pruner("core.expired_sessions", Session)
def prune_sessions(now: datetime) -> int:
    return Session.objects.filter(expire_date__lt=now).delete()[0]
