"""Provisioning invite links on TikTok: exactly once, at the shared rate limit.

Each pending link becomes its own TikTok campaign object (`handle_names` = that one
creator). Exactly once, even when a worker dies or TikTok times out after doing the
work: before each create call the link records its intent (`attempted_at`, the name and a
random marker, `tiktok_ref`, sent in the object's name and description). A link that still
carries an intent when it is next looked at has an unknown outcome; it is reconciled against
TikTok's campaign list before anything is created again, matched by that marker: TikTok may
trim or change the name (contract §13), an ASCII token survives.

TikTok may answer a create without the object's `invite_link` (§13, seen live): the link
then waits for it, read back by `campaign_ids` until it appears, and fails clearly after
LINK_URL_TIMEOUT_MINUTES.

Calls run on a small thread pool so TikTok's latency does not bound throughput;
the shared limiter (inviteflow.tiktok.ratelimit) keeps every process together under
the app's QPS/QPM, whatever the pool size.
"""

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core import events
from inviteflow.core.threads import closes_connection, fan_out
from inviteflow.links import lookup, services
from inviteflow.links.models import InviteLink
from inviteflow.tiktok import errors, names
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.schemas import Campaign as TikTokCampaign

log = logging.getLogger(__name__)
Status = InviteLink.Status
BATCH = 40
MAX_ROUNDS = 8
UNSURE_PER_SWEEP = 5000  # links one sweep settles; more wait for the next round
CONNECTION_LOST_AFTER = 10  # consecutive connection failures without a success
# After errors.NOTHING_DONE the intent is dropped (creating later is safe); these also stop
# the run (the job pauses, tiktok.jobs says why).
STOPPING = (errors.Throttled, errors.AuthError, errors.PermissionDenied, errors.EndpointUnavailable)
NAME_MAX = 100  # contract §13: names ASCII and at most 100 characters; no exact echo relied on
DESCRIPTION_MAX = 500


@dataclass
class Run:
    campaign: Campaign
    client: TikTokClient
    account_id: str
    created: int = 0
    failed: int = 0
    unknown: int = 0
    connection_failures: int = 0
    stop: errors.TikTokError | None = None  # what ended the run early (see tiktok.jobs)
    notes: list[str] = field(default_factory=list)
    claim_tokens: set[str] = field(default_factory=set)
    lookup_calls: int = 0  # campaign-list pages read to settle unknown outcomes
    started: float = field(default_factory=time.monotonic)

    def sliced(self) -> bool:
        """Past LINK_PROVISIONING_SLICE_SECONDS: leave the rest to a fresh task."""
        return time.monotonic() - self.started > settings.LINK_PROVISIONING_SLICE_SECONDS


def tiktok_campaign_name(link: InviteLink, links_of_creator: int, ref: str) -> str:
    """Recognisable in TikTok One, ASCII, at most NAME_MAX characters, ending in the marker."""
    name = f"{link.campaign.name} - @{link.creator.handle} - {link.sequence}/{links_of_creator}"
    return names.with_ref(name, ref, NAME_MAX)


def tiktok_campaign_description(link: InviteLink, ref: str) -> str:
    return f"{ref}. {link.campaign.brief}"[:DESCRIPTION_MAX]


# -- Claims ----------------------------------------------------------------------------


def _claimable(scope: Q, with_intent: bool) -> Q:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now())
    pending = Q(status=Status.PENDING, attempted_at__isnull=not with_intent)
    return scope & pending & Q(awaiting_url_since__isnull=True) & free


def claim(run: Run, scope: Q, with_intent: bool, limit: int) -> list[InviteLink]:
    """Links this run alone works on while it renews its claims (`keeping_claims`); a dead
    worker's expire LINK_CLAIM_SECONDS after its last renewal."""
    token = secrets.token_hex(8)
    claimable = _claimable(scope, with_intent)
    ids = list(InviteLink.objects.filter(claimable).values_list("id", flat=True)[:limit])
    InviteLink.objects.filter(claimable, id__in=ids).update(
        claimed_until=_claim_expiry(), claim_token=token
    )
    run.claim_tokens.add(token)
    return list(
        InviteLink.objects.filter(claim_token=token, status=Status.PENDING).select_related(
            "campaign", "creator"
        )
    )


def _claim_expiry() -> datetime:
    return timezone.now() + timedelta(seconds=settings.LINK_CLAIM_SECONDS)


@contextmanager
def keeping_claims(run: Run) -> Iterator[None]:
    """Renew the run's claims every third of LINK_CLAIM_SECONDS while the body runs."""
    stopped = threading.Event()

    @closes_connection
    def renew() -> None:
        while not stopped.wait(settings.LINK_CLAIM_SECONDS / 3):
            tokens = list(run.claim_tokens)
            InviteLink.objects.filter(claim_token__in=tokens, status=Status.PENDING).update(
                claimed_until=_claim_expiry()
            )

    renewer = threading.Thread(target=renew, name="claims", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stopped.set()
        renewer.join()


def release(link: InviteLink, **changes: object) -> None:
    InviteLink.objects.filter(pk=link.pk, claim_token=link.claim_token).update(
        claimed_until=None, claim_token="", **changes
    )


# -- Outcomes --------------------------------------------------------------------------


def record_created(link: InviteLink, result: TikTokCampaign) -> None:
    """TikTok made (or we found) the object; a retired-meanwhile link stays retired. Without
    an invite link yet, the link waits for it (still pending)."""
    handle_failed = link.creator.handle in {h.lower() for h in result.failed_handle_names}
    common = {
        "tiktok_campaign_id": result.campaign_id,
        "attempted_at": None,
        "claimed_until": None,
        "claim_token": "",
        "provisioned_at": timezone.now(),
    }
    InviteLink.objects.filter(pk=link.pk).update(**common)
    if handle_failed:
        _fail(link, "invalid_handle", invalid_handle_message(link.creator.handle))
    elif result.invite_link:
        record_url(link.pk, result.invite_link)
    else:
        InviteLink.objects.filter(pk=link.pk, awaiting_url_since=None).update(
            awaiting_url_since=timezone.now()
        )


def record_url(link_id: int, url: str) -> None:
    InviteLink.objects.filter(pk=link_id).update(url=url, awaiting_url_since=None)
    InviteLink.objects.filter(pk=link_id, status=Status.PENDING).update(
        status=Status.ACTIVE, failure_code="", failure_message=""
    )
    events.emit("link.ready", InviteLink.objects.get(pk=link_id))


def invalid_handle_message(handle: str) -> str:
    return (
        f"TikTok could not invite @{handle}: the handle is not a TikTok creator it can reach. "
        "Check the spelling on their TikTok profile, fix the creator's handle, then Retry failed."
    )


def _fail(link: InviteLink, code: str, message: str) -> None:
    InviteLink.objects.filter(pk=link.pk, status=Status.PENDING).update(
        status=Status.FAILED,
        failure_code=code,
        failure_message=message,
        attempted_at=None,
        claimed_until=None,
        claim_token="",
    )
    events.emit("link.failed", link)


# -- One link --------------------------------------------------------------------------


def provision_one(run: Run, link: InviteLink) -> None:
    if run.stop is not None:
        return release(link)
    ref = link.tiktok_ref or names.new_ref()
    name = link.tiktok_campaign_name or tiktok_campaign_name(link, _links_of(link), ref)
    ours = InviteLink.objects.filter(pk=link.pk, claim_token=link.claim_token).update(
        attempted_at=timezone.now(), tiktok_campaign_name=name, tiktok_ref=ref
    )
    if not ours:  # the claim expired (this process stalled) and another worker took it
        return None
    try:
        result = _create(run, link, name, ref)
    except errors.TikTokError as exc:
        return _on_error(run, link, exc)
    run.connection_failures = 0
    run.created += 1
    record_created(link, result)


def _links_of(link: InviteLink) -> int:
    return (
        InviteLink.objects.filter(campaign_id=link.campaign_id, creator_id=link.creator_id)
        .exclude(status=Status.RETIRED)
        .count()
    )


def _create(run: Run, link: InviteLink, name: str, ref: str) -> TikTokCampaign:
    handle = [link.creator.handle]
    if link.tiktok_campaign_id:  # a failed handle, since fixed: add it to the same object
        return run.client.add_creators_to_campaign(
            run.account_id, link.tiktok_campaign_id, name, handle
        )
    return run.client.create_campaign(
        run.account_id,
        name,
        handle,
        campaign_type="CAMPAIGN",
        campaign_description=tiktok_campaign_description(link, ref),
    )


def _on_error(run: Run, link: InviteLink, exc: errors.TikTokError) -> None:
    """Sort a failure into: not done (clear the intent), refused (failed), or unknown."""
    if isinstance(exc, errors.NOTHING_DONE):
        release(link, attempted_at=None)  # TikTok did nothing; creating later is safe
        _stop_for(run, exc)
    elif isinstance(exc, errors.InvalidParams | errors.NotFound):
        run.failed += 1
        _fail(link, f"tiktok_{exc.code}", f"TikTok refused this link: {exc.message}")
    else:  # timeouts, connection and server errors: TikTok may have done the work
        run.unknown += 1
        _count_connection_failure(run, exc)
        release(link)


def _stop_for(run: Run, exc: errors.TikTokError) -> None:
    if isinstance(exc, STOPPING):
        run.stop = run.stop or exc
    else:
        _count_connection_failure(run, exc)


def _count_connection_failure(run: Run, exc: errors.TikTokError) -> None:
    """Many connection failures in a row: TikTok is unreachable, stop (and pause)."""
    if not isinstance(exc, errors.ConnectionFailed):
        return
    run.connection_failures += 1
    if run.connection_failures >= CONNECTION_LOST_AFTER and run.stop is None:
        run.stop = exc


# -- Reconciliation ------------------------------------------------------------------


def reconcile(run: Run) -> int:
    """Settle every link of the workspace whose last create has an unknown outcome, with one
    look at the account's campaign list (one TikTok account per workspace, so one look serves
    all its campaigns); links.lookup reads only the part where those objects can be. Returns
    how many links were found not to exist (safe to create)."""
    unsure = claim(run, Q(workspace_id=run.campaign.workspace_id), True, UNSURE_PER_SWEEP)
    if not unsure:
        return 0
    try:
        sweep = lookup.find_objects(run.client, run.account_id, unsure, anchor_for(unsure))
    except errors.TikTokError as exc:
        for link in unsure:
            release(link)  # intent kept: reconcile again next time
        _stop_for(run, exc)
        return 0
    run.lookup_calls += sweep.calls
    absent = 0
    for link in unsure:
        found = sweep.find(link)
        if found is not None:
            record_created(link, found)
        elif sweep.complete:  # not on TikTok: safe to create
            release(link, attempted_at=None)
            absent += 1
        else:  # objects appeared mid-sweep and pages may have shifted: look again later
            release(link)
    return absent


def anchor_for(unsure: list[InviteLink]) -> InviteLink | None:
    """The last link of the workspace TikTok confirmed before any of `unsure` was attempted."""
    first_attempt = min(link.attempted_at for link in unsure if link.attempted_at is not None)
    confirmed = InviteLink.objects.filter(
        workspace_id=unsure[0].workspace_id,
        provisioned_at__lt=first_attempt,
        attempted_at=None,
    ).exclude(tiktok_campaign_id="")
    return confirmed.order_by("-provisioned_at").first()


# -- A run -----------------------------------------------------------------------------


def provision_campaign(run: Run) -> Run:
    """Rounds of: reconcile unknown outcomes, then create every pending link; then the
    invite links TikTok had not given yet. Claims are renewed while it runs."""
    with keeping_claims(run):
        return _rounds(run)


def _rounds(run: Run) -> Run:
    for _ in range(MAX_ROUNDS):
        reconcile(run)
        if run.stop:
            break
        _create_pending(run)
        if run.stop or not _has_unknown(run.campaign):
            break
    if run.stop is None:
        fetch_invite_links(run)
    log.info(
        "provisioned campaign %s: %s created, %s failed, %s unknown, stop=%r",
        run.campaign.pk,
        run.created,
        run.failed,
        run.unknown,
        run.stop,
    )
    return run


def _create_pending(run: Run) -> None:
    workers = settings.LINK_PROVISIONING_CONCURRENCY
    while run.stop is None and not run.sliced():
        batch = claim(run, Q(campaign=run.campaign), False, BATCH)
        if not batch:
            return
        fan_out(lambda link: provision_one(run, link), batch, workers, "provision")


# -- Invite links that come late ---------------------------------------------------------


def fetch_invite_links(run: Run) -> int:
    """Read back the objects of links still waiting for their invite link (by
    `campaign_ids`); past LINK_URL_TIMEOUT_MINUTES a link fails."""
    waiting = dict(services.awaiting_url(run.campaign).values_list("tiktok_campaign_id", "pk"))
    found = 0
    if not waiting:  # an empty id filter would list the whole account
        return found
    try:
        for obj in run.client.campaigns(run.account_id, campaign_ids=list(waiting)):
            if obj.invite_link and obj.campaign_id in waiting:
                record_url(waiting[obj.campaign_id], obj.invite_link)
                found += 1
    except errors.TikTokError as exc:
        _stop_for(run, exc)
        return found
    _give_up_waiting(run.campaign)
    return found


def _give_up_waiting(campaign: Campaign) -> None:
    late = timezone.now() - timedelta(minutes=settings.LINK_URL_TIMEOUT_MINUTES)
    minutes = settings.LINK_URL_TIMEOUT_MINUTES
    InviteLink.objects.filter(
        campaign=campaign, status=Status.PENDING, awaiting_url_since__lt=late
    ).update(
        status=Status.FAILED,
        failure_code="no_invite_link",
        failure_message=(
            f"TikTok made this link's campaign object but gave it no invite link within "
            f"{minutes:g} minutes. Retry failed asks TikTok for it again."
        ),
    )


def _has_unknown(campaign: Campaign) -> bool:
    return InviteLink.objects.filter(
        campaign=campaign, status=Status.PENDING, attempted_at__isnull=False
    ).exists()
