"""The progress of background work a page shows next to its button (post sync, insights
refresh, compliance scan)."""

from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from inviteflow.core.enqueue import enqueue_on_commit


class SyncProgress:
    """Mixed into a model with `requested_at`, `started_at` and `finished_at`."""

    requested_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def running(self) -> bool:
        started = self.started_at
        return bool(started and (self.finished_at is None or self.finished_at < started))

    @property
    def queued(self) -> bool:
        """Asked for since the last run started, and not running now."""
        requested = self.requested_at
        return bool(
            requested
            and not self.running
            and (self.started_at is None or self.started_at < requested)
        )


def request_run(state: SyncProgress, task_name: str, *args: object) -> None:
    """Someone asked for the work now: recorded for the page, the task enqueued on commit."""
    assert isinstance(state, models.Model)
    with transaction.atomic():
        state.requested_at = timezone.now()
        state.save(update_fields=["requested_at"])
        enqueue_on_commit(task_name, *args)
