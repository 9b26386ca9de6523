"""System checks run at startup (every management command, the web app's first request)."""

import pkgutil
from importlib import import_module
from typing import Any

from django.core.checks import Error, register

import inviteflow
from inviteflow.core import enqueue

SKIPPED = ("migrations", "management", "settings", "wsgi", "asgi")


@register()
def background_task_names(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every task name a module declares with `enqueue.job()` has a registered task."""
    _import_all()
    enqueue.autodiscover()
    return [
        Error(
            f"background task {name!r} is enqueued but no tasks.py registers it",
            hint="Register it with @background(name) in the app's tasks.py.",
            id="inviteflow.E001",
        )
        for name in sorted(enqueue.DECLARED - set(enqueue.TASKS))
    ]


def _import_all() -> None:
    """Declarations happen at import: import every inviteflow module that may declare one."""
    for module in pkgutil.walk_packages(inviteflow.__path__, "inviteflow."):
        if not any(part in SKIPPED for part in module.name.split(".")):
            import_module(module.name)
