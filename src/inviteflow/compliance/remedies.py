"""What every remedy for a post at risk shares: refusals, the TikTok account of a web request,
and the intent recorded before a TikTok write.

The remedies themselves: campaign codes (codes.py), linking requests (linking.py), and what
TikTok did with them since (reconciliation.py, with every scan).

A remedy runs while a manager waits (architecture §10): at most one TikTok write, without
retries, with at most TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S of waiting for a call slot. Every
lookup (an earlier write's unknown outcome, the object behind a new code) is enqueued for the
background: the request answers `Checking`, and the next click finds the answer.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.compliance import services
from inviteflow.compliance.models import CampaignCode, LinkRequest
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors
from inviteflow.tiktok.connections import NotConnected, TikTokAccount, client_for

RECONCILE_REMEDIES = job("compliance.reconcile_remedies")
RECONCILER = services.Actor(None, "reconciliation (TikTok had done it)")


class Refused(Exception):
    """A remedy that cannot be sent now; `code` is machine-readable, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Checking(Exception):
    """The remedy waits on a lookup enqueued for the background; the message says what next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextmanager
def tiktok_for(workspace: Workspace) -> Iterator[TikTokAccount]:
    """The workspace's account for a web request: no retries, a short wait for a slot."""
    try:
        account = client_for(workspace, interactive=True)
    except NotConnected as exc:
        raise Refused("not_connected", str(exc)) from exc
    with account:
        yield account


def unsure_after() -> timedelta:
    """A TikTok write this old without an answer had an unknown outcome: look it up."""
    return timedelta(seconds=settings.COMPLIANCE_UNSURE_AFTER_SECONDS)


def require_at_risk(post: Post) -> None:
    if post.compliance != Post.Compliance.AT_RISK:
        raise Refused(
            "not_at_risk",
            f"This post is {post.get_compliance_display().lower()}, "
            "not at risk: there is nothing to fix.",
        )


def claim(row: CampaignCode | LinkRequest) -> None:
    """Take `row` for one TikTok write in this request. An earlier write whose answer never
    came is looked up in the background first (Checking); one in flight now is Refused."""
    if row.attempted_at is not None and row.attempted_at >= timezone.now() - unsure_after():
        raise _busy()
    if row.attempted_at is not None:
        check_later(row.campaign_id)
        raise Checking(
            "TikTok did not answer the last try. Whether it went through is being checked "
            "with TikTok now: try again in a minute (nothing will be sent twice)."
        )
    if not services.claim_attempt(row, timezone.now() - unsure_after()):
        raise _busy()


def _busy() -> Refused:
    return Refused(
        "busy",
        "TikTok is being asked about this right now: try again in a minute "
        "(nothing will be sent twice).",
    )


def check_later(campaign_id: int) -> None:
    """Reconcile the campaign's remedies with TikTok in the background, soon."""
    enqueue_on_commit(RECONCILE_REMEDIES, campaign_id)


def failed_write(exc: errors.TikTokError, row: CampaignCode | LinkRequest) -> Refused:
    """Sort a failed write: TikTok did nothing, refused, or may have done it (intent kept)."""
    if isinstance(exc, errors.NOTHING_DONE):
        services.forget_attempt(row)
        return unavailable(exc)
    if isinstance(exc, errors.InvalidParams | errors.NotFound):
        services.forget_attempt(row)
        return Refused("tiktok_refused", f"TikTok refused it: {exc.message}")
    return Refused(
        "tiktok_unsure",
        "TikTok did not answer in time. Try again in a minute: it "
        "will be checked with TikTok, never sent twice.",
    )


def unavailable(exc: errors.TikTokError) -> Refused:
    """TikTok did not take the call now (rate limit, access): nothing happened."""
    if isinstance(exc, errors.Throttled):
        return Refused(
            "tiktok_busy",
            "TikTok's rate limit is in use by background work right now; nothing was sent. "
            "Try again in a minute.",
        )
    return Refused("tiktok_unavailable", f"TikTok did not accept the call now ({exc}).")
