"""A background sync's state as the API reports it (post attribution, insights)."""

from datetime import datetime
from typing import Any

from ninja import Schema

from inviteflow.core.sync import SyncProgress


class SyncStateOut(Schema):
    """What every sync reports; each kind adds its own counters."""

    requested_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    queued: bool = False
    running: bool = False
    last_error: str = ""


def sync_state(schema: type[SyncStateOut], state: SyncProgress | None) -> dict[str, Any]:
    """The schema's fields read off the sync's row; never synced yet = the defaults."""
    if state is None:
        return {}
    return {name: getattr(state, name) for name in schema.model_fields}
