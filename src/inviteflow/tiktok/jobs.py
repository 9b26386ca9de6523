"""One runner for every background job that calls TikTok (links, posts, compliance, insights).

A job says what it does in three steps: `start` (record that it runs; False when there is
nothing to do now), `work` with the workspace's TikTok account, and `finish` (record the
outcome for its page). The runner does the rest the same way for all of them: connect, map
TikTok's errors to an outcome with a pause reason, and after a throttle enqueue the job
again for when the installation-wide cool-down is over.

A job whose work keeps partial progress records the error that stopped it instead of
raising it (`stopped_by`); the runner treats both alike.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.utils import timezone
from django.utils.formats import time_format

from inviteflow.accounts.models import Workspace
from inviteflow.core.enqueue import enqueue_on_commit
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import Limiter
from inviteflow.tiktok.connections import NotConnected, TikTokAccount, client_for
from inviteflow.tiktok.models import Pause

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass
class Outcome(Generic[R]):
    """What a run did: the work's result (None when it could not run), and why it stopped."""

    result: R | None = None
    error: str = ""  # for the job's status line; "" when the work was done
    pause: Pause | None = None
    retry_at: datetime | None = None  # enqueued again for then (after a cool-down)
    skipped: bool = False  # `start` said there was nothing to do


class TikTokJob(Generic[R]):
    """A background job on one workspace's TikTok account; subclasses live in tasks.py."""

    task_name: str  # the registered task, enqueued again after a cool-down
    workspace: Workspace
    args: tuple[Any, ...] = ()

    def start(self) -> bool:
        return True

    def work(self, account: TikTokAccount) -> R:
        raise NotImplementedError

    def stopped_by(self, result: R) -> errors.TikTokError | None:
        """An error the work recorded (keeping its partial progress) instead of raising it."""
        return None

    def finish(self, outcome: Outcome[R]) -> None:
        """Record the outcome where the job's page shows it."""


def run(job: TikTokJob[R]) -> Outcome[R]:
    """Start, work, finish; enqueue the job again when TikTok's rate limit stopped it."""
    if not job.start():
        return Outcome(skipped=True)
    outcome = _work(job)
    job.finish(outcome)
    if outcome.retry_at is not None:
        enqueue_on_commit(job.task_name, *job.args, run_after=outcome.retry_at)
    return outcome


def _work(job: TikTokJob[R]) -> Outcome[R]:
    try:
        account = client_for(job.workspace)
    except NotConnected as exc:
        return Outcome(error=str(exc), pause=Pause.NOT_CONNECTED)
    with account:
        try:
            result = job.work(account)
        except errors.TikTokError as exc:
            return stopped(exc, None, account.client.limiter)
        stop = job.stopped_by(result)
        return stopped(stop, result, account.client.limiter) if stop else Outcome(result)


def stopped(exc: errors.TikTokError, result: R | None, limiter: Limiter | None) -> Outcome[R]:
    """The outcome of work that TikTok's error `exc` ended: the pause reason, and a message."""
    if isinstance(exc, errors.Throttled):
        retry_at = timezone.now() + timedelta(seconds=resume_in(limiter))
        until = time_format(timezone.localtime(retry_at), "H:i")
        message = f"Paused by TikTok's rate limit ({exc}) until {until}; it resumes by itself."
        return Outcome(result, message, Pause.THROTTLED, retry_at)
    if isinstance(exc, errors.EndpointUnavailable):  # 40006, 41001/41002: retrying won't help
        return Outcome(result, exc.message, Pause.UNSUPPORTED)
    if isinstance(exc, errors.AuthError | errors.PermissionDenied):
        message = f"TikTok refused our access ({exc}): reconnect TikTok in Settings."
        return Outcome(result, message, Pause.ACCESS_REFUSED)
    if isinstance(exc, errors.ConnectionFailed):
        message = f"TikTok did not answer ({exc}); it is tried again by itself."
        return Outcome(result, message, Pause.CONNECTION_LOST)
    return Outcome(result, f"TikTok answered {exc}; the next run tries again.")


def resume_in(limiter: Limiter | None) -> float:
    """Seconds until a throttled job may call TikTok again: the cool-down, and a second."""
    remaining = limiter.cooldown_remaining() if limiter is not None else 0.0
    return max(remaining, 1.0) + 1.0
