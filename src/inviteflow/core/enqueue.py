"""The one seam through which code starts background work.

Each app's `tasks.py` registers its tasks under a dotted name with `@background(name)`.
Services never import tasks (tasks import services): they declare the names they start
with `job("app.name")`, a constant that grep and mypy can follow, and call
`enqueue_on_commit(NAME, *args)`. The task is enqueued once the surrounding transaction
commits (at once outside one), so a worker never sees a row that was rolled back.
`checks.py` fails at startup when a declared name has no registered task.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from importlib import import_module
from importlib.util import find_spec
from typing import Any, ParamSpec, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_tasks import task
from django_tasks.base import Task

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)
TASKS: dict[str, Task[Any, Any]] = {}
DECLARED: set[str] = set()
_DISCOVERED: list[bool] = []


# The queues (settings.TASK_QUEUES): TikTok-bound work waits on TikTok's rate limit, so it
# has its own queue, as does email delivery; everything else is local work.
TIKTOK = "tiktok"
EMAIL = "email"
LOCAL = "default"


def background(name: str, queue: str = LOCAL) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Make `func` a task on `queue`, registered under `name`."""

    def register(func: Callable[P, R]) -> Task[P, R]:
        registered = task(queue_name=queue)(func)
        if TASKS.setdefault(name, registered) is not registered:
            raise ImproperlyConfigured(f"two background tasks are named {name!r}")
        return registered

    return register


def job(name: str) -> str:
    """Declare a task name that this module enqueues; checked at startup."""
    DECLARED.add(name)
    return name


def enqueue_on_commit(name: str, *args: Any, run_after: datetime | None = None) -> None:
    """Enqueue the task `name` with `args` after the current transaction commits."""
    task_of(name)  # an unknown name fails here, in the caller, not after the commit
    transaction.on_commit(partial(_enqueue, name, args, run_after))


def task_of(name: str) -> Task[Any, Any]:
    autodiscover()
    try:
        return TASKS[name]
    except KeyError:
        raise ImproperlyConfigured(f"no background task is named {name!r}") from None


def _enqueue(name: str, args: tuple[Any, ...], run_after: datetime | None) -> None:
    registered = TASKS[name]
    if run_after is not None:
        registered = registered.using(run_after=run_after)
    registered.enqueue(*args)


def enqueue_again(task_path: str, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Enqueue anew a task known by its module path, whose worker died running it (on either
    backend); False, logged, when no such task is registered any more."""
    autodiscover()
    by_path = {registered.module_path: registered for registered in TASKS.values()}
    if task_path not in by_path:
        log.warning("abandoned task %s is no longer registered; not enqueued again", task_path)
        return False
    by_path[task_path].enqueue(*args, **kwargs)
    log.warning("enqueued %s again: its worker died while running it", task_path)
    return True


def autodiscover() -> None:
    """Import every inviteflow app's `tasks` module, where tasks and periodic jobs register."""
    if _DISCOVERED:
        return
    _DISCOVERED.append(True)
    for config in apps.get_app_configs():
        module = f"{config.name}.tasks"
        if config.name.startswith("inviteflow.") and find_spec(module):
            import_module(module)
