from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "inviteflow.core"
    label = "core"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from inviteflow.core import (
            checks,  # noqa: F401  registers the system checks
            metrics,
        )

        # Job durations and outcomes for /metrics, in whichever process runs the task.
        task_started.connect(metrics.task_started, dispatch_uid="inviteflow.metrics.started")
        task_finished.connect(metrics.task_finished, dispatch_uid="inviteflow.metrics.finished")
