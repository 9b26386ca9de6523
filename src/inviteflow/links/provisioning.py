"""Provisioning invite links on TikTok: exactly once, at the shared rate limit.

Each pending link becomes its own TikTok campaign object (`handle_names` = that one
creator). Exactly once, even when a worker dies or TikTok times out after doing the
work: before each create call the link records its intent (`attempted_at` and the
unique campaign name it is about to use). A link that still carries an intent when
it is next looked at has an unknown outcome; it is reconciled against TikTok's
campaign list (matched by that unique name) before anything is created again.

Calls run on a small thread pool so TikTok's latency does not bound throughput;
the shared limiter (inviteflow.tiktok.ratelimit) keeps every process together under
the app's QPS/QPM, whatever the pool size.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core.threads import fan_out
from inviteflow.links.models import InviteLink
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.schemas import Campaign as TikTokCampaign
from inviteflow.tiktok.schemas import CampaignPage

log = logging.getLogger(__name__)
Status = InviteLink.Status
BATCH = 40
MAX_ROUNDS = 8
PAGE_PATIENCE = 5  # attempts per campaign-list page during reconciliation
UNSURE_PER_SWEEP = 5000  # links one sweep settles; more wait for the next round
CONNECTION_LOST_AFTER = 10  # consecutive connection failures without a success


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


def tiktok_campaign_name(link: InviteLink, links_of_creator: int) -> str:
    """Recognisable in TikTok One, and unique per link so reconciliation can find it."""
    name = f"{link.campaign.name} · @{link.creator.handle} · {link.sequence}/{links_of_creator}"
    return f"{name} · if{link.pk}"


# -- Claims ----------------------------------------------------------------------------


def _claimable(scope: Q, with_intent: bool) -> Q:
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now())
    return scope & Q(status=Status.PENDING, attempted_at__isnull=not with_intent) & free


def claim(scope: Q, with_intent: bool, limit: int) -> list[InviteLink]:
    """Links this process alone works on for LINK_CLAIM_SECONDS (a dead worker's expire)."""
    token = secrets.token_hex(8)
    claimable = _claimable(scope, with_intent)
    ids = list(InviteLink.objects.filter(claimable).values_list("id", flat=True)[:limit])
    InviteLink.objects.filter(claimable, id__in=ids).update(
        claimed_until=timezone.now() + timedelta(seconds=settings.LINK_CLAIM_SECONDS),
        claim_token=token,
    )
    return list(
        InviteLink.objects.filter(claim_token=token, status=Status.PENDING).select_related(
            "campaign", "creator"
        )
    )


def release(link: InviteLink, **changes: object) -> None:
    InviteLink.objects.filter(pk=link.pk, claim_token=link.claim_token).update(
        claimed_until=None, claim_token="", **changes
    )


# -- Outcomes --------------------------------------------------------------------------


def record_created(link: InviteLink, result: TikTokCampaign) -> None:
    """TikTok made (or we found) the object; a retired-meanwhile link stays retired."""
    handle_failed = link.creator.handle in {h.lower() for h in result.failed_handle_names}
    common = {
        "tiktok_campaign_id": result.campaign_id,
        "url": result.invite_link,
        "attempted_at": None,
        "claimed_until": None,
        "claim_token": "",
        "provisioned_at": timezone.now(),
    }
    InviteLink.objects.filter(pk=link.pk).update(**common)
    if handle_failed:
        _fail(link, "invalid_handle", invalid_handle_message(link.creator.handle))
    else:
        InviteLink.objects.filter(pk=link.pk, status=Status.PENDING).update(
            status=Status.ACTIVE, failure_code="", failure_message=""
        )


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


# -- One link --------------------------------------------------------------------------


def provision_one(run: Run, link: InviteLink) -> None:
    if run.stop is not None:
        return release(link)
    name = link.tiktok_campaign_name or tiktok_campaign_name(link, _links_of(link))
    InviteLink.objects.filter(pk=link.pk, claim_token=link.claim_token).update(
        attempted_at=timezone.now(), tiktok_campaign_name=name
    )
    try:
        result = _create(run, link, name)
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


def _create(run: Run, link: InviteLink, name: str) -> TikTokCampaign:
    handle = [link.creator.handle]
    if link.tiktok_campaign_id:  # a failed handle, since fixed: add it to the same object
        return run.client.add_creators_to_campaign(run.account_id, link.tiktok_campaign_id, handle)
    return run.client.create_campaign(
        run.account_id,
        name,
        handle,
        campaign_type="CAMPAIGN",
        campaign_description=link.campaign.brief[:500],
    )


def _on_error(run: Run, link: InviteLink, exc: errors.TikTokError) -> None:
    """Sort a failure into: not done (clear the intent), refused (failed), or unknown."""
    if isinstance(exc, errors.Throttled | errors.AuthError | errors.PermissionDenied):
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
    if isinstance(exc, errors.Throttled | errors.AuthError | errors.PermissionDenied):
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


@dataclass
class Sweep:
    """Every CAMPAIGN object of the account, as one read of its pages saw them."""

    by_name: dict[str, TikTokCampaign]
    complete: bool  # the object count held still while the pages were read


def reconcile(run: Run) -> int:
    """Settle every link of the workspace whose last create has an unknown outcome, with one
    sweep of the account's campaign list (one TikTok account per workspace, so one sweep serves
    all its campaigns). Returns how many links were found not to exist (safe to create)."""
    claimed = claim(Q(workspace_id=run.campaign.workspace_id), True, UNSURE_PER_SWEEP)
    unsure = {link.tiktok_campaign_name: link for link in claimed}
    if not unsure:
        return 0
    try:
        sweep = sweep_campaigns(run)
    except errors.TikTokError as exc:
        for link in unsure.values():
            release(link)  # intent kept: reconcile again next time
        _stop_for(run, exc)
        return 0
    absent = 0
    for name, link in unsure.items():
        if name in sweep.by_name:
            record_created(link, sweep.by_name[name])
        elif sweep.complete:  # not on TikTok: safe to create
            release(link, attempted_at=None)
            absent += 1
        else:  # objects appeared mid-sweep and pages may have shifted: look again later
            release(link)
    return absent


def sweep_campaigns(run: Run) -> Sweep:
    """Read page 1 for the page count, then the other pages side by side (the shared limiter
    keeps them under the rate limit). A page that keeps failing is asked again rather than
    restarting a sweep of hundreds of pages: at 20 % errors a long sweep would rarely finish.
    TikTok does not document the list's order, so a sweep only proves an object absent if the
    account's object count did not change while it was read."""
    first = _page_with_patience(run, 1)
    pages = range(2, first.page_info.total_page + 1)
    workers = settings.LINK_PROVISIONING_CONCURRENCY
    rest = fan_out(lambda page: _page_with_patience(run, page), pages, workers, "sweep")
    total = first.page_info.total_number
    by_name = {c.campaign_name: c for page in (first, *rest) for c in page.campaigns}
    return Sweep(by_name, all(page.page_info.total_number == total for page in rest))


def _page_with_patience(run: Run, page: int) -> CampaignPage:
    def fetch() -> CampaignPage:
        return run.client.campaigns_page(run.account_id, campaign_type="CAMPAIGN", page=page)

    for _ in range(PAGE_PATIENCE - 1):
        try:
            return fetch()
        except (errors.TransientServerError, errors.ConnectionFailed):
            continue
    return fetch()  # the last attempt's failure reaches the caller


# -- A run -----------------------------------------------------------------------------


def provision_campaign(run: Run) -> Run:
    """Rounds of: reconcile unknown outcomes, then create every pending link."""
    for _ in range(MAX_ROUNDS):
        reconcile(run)
        if run.stop:
            break
        _create_pending(run)
        if run.stop or not _has_unknown(run.campaign):
            break
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
    while run.stop is None:
        batch = claim(Q(campaign=run.campaign), False, BATCH)
        if not batch:
            return
        fan_out(lambda link: provision_one(run, link), batch, workers, "provision")


def _has_unknown(campaign: Campaign) -> bool:
    return InviteLink.objects.filter(
        campaign=campaign, status=Status.PENDING, attempted_at__isnull=False
    ).exists()
