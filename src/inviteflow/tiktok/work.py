"""What a card that waits on background TikTok work (a post sync, a compliance scan, an
insights refresh) says, so it never claims more than is known: *not checked yet*,
*checking*, *paused until HH:MM (why)*, *stopped (why)* or *checked at HH:MM*; and whether
it is settled or should keep refreshing itself.

Read from the work's progress row (core.sync.SyncProgress) and what pauses every job of a
workspace: its TikTok connection and the installation's rate-limit cool-down.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.tiktok.models import Pause, TikTokConnection
from inviteflow.tiktok.ratelimit import get_limiter

NEVER, QUEUED, RUNNING, PAUSED, STOPPED, DONE = (
    "never",
    "queued",
    "running",
    "paused",
    "stopped",
    "done",
)


class Progress(Protocol):
    """A SyncProgress model with the error its last run ended with."""

    finished_at: datetime | None
    last_error: str

    @property
    def running(self) -> bool: ...

    @property
    def queued(self) -> bool: ...


@dataclass(frozen=True)
class WorkState:
    phase: str  # one of NEVER … DONE
    checked_at: datetime | None = None  # the last run's end
    paused_until: datetime | None = None  # the work resumes by itself then
    why: str = ""  # why it is paused or stopped

    @property
    def settled(self) -> bool:
        """Nothing will change without someone acting: the card may stop refreshing."""
        return self.phase in (NEVER, STOPPED, DONE) or (
            self.phase == PAUSED and self.paused_until is None
        )

    @property
    def checking(self) -> bool:
        return self.phase in (QUEUED, RUNNING)

    @property
    def when(self) -> str:
        """ "14:05", or "2 Dec 14:05" when not today (local time)."""
        if self.checked_at is None:
            return ""
        moment = timezone.localtime(self.checked_at)
        today = timezone.localdate()
        return f"{moment:%H:%M}" if moment.date() == today else f"{moment.day} {moment:%b %H:%M}"

    @property
    def until(self) -> str:
        return f"{timezone.localtime(self.paused_until):%H:%M}" if self.paused_until else ""


def work_state(progress: Progress | None, workspace: Workspace) -> WorkState:
    """The state of one piece of work of `workspace` (None: never asked for)."""
    checked_at = progress.finished_at if progress else None
    if progress is not None and progress.running:
        return WorkState(RUNNING, checked_at)
    stopped = _connection_pause(workspace)
    if stopped:
        return WorkState(PAUSED, checked_at, why=stopped)
    cooldown = _cooldown_end()
    waiting = progress is not None and (progress.queued or bool(progress.last_error))
    if cooldown is not None and waiting:
        return WorkState(PAUSED, checked_at, cooldown, Pause.THROTTLED.label)
    if progress is not None and progress.queued:
        return WorkState(QUEUED, checked_at)
    if checked_at is None:
        return WorkState(NEVER)
    if progress is not None and progress.last_error:
        return WorkState(STOPPED, checked_at, why=progress.last_error)
    return WorkState(DONE, checked_at)


def _connection_pause(workspace: Workspace) -> str:
    """Why no TikTok work of the workspace can run until someone acts, or ""."""
    connection = TikTokConnection.objects.filter(workspace=workspace).only("status").first()
    if connection is None:
        return str(Pause.NOT_CONNECTED.label)
    if connection.status != TikTokConnection.Status.CONNECTED:
        return str(Pause.ACCESS_REFUSED.label)
    return ""


def _cooldown_end() -> datetime | None:
    """When the installation-wide cool-down after a TikTok throttle ends, if one runs."""
    remaining = get_limiter().cooldown_remaining()
    return timezone.now() + timedelta(seconds=remaining) if remaining > 0 else None
