"""The progress of a background sync a page shows next to its button (posts, insights)."""

from datetime import datetime


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
