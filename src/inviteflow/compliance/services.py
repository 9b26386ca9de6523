"""State changes of compliance: posts found at risk, removed, campaign codes and linking
requests as TikTok reports them, the audit trail, emails, digests and scan state.

TikTok is never called from here (scanning.py, codes.py, linking.py and reconciliation.py
do), so no transaction waits on the network. Intents (`attempted_at`) are recorded here
before a TikTok write and cleared when its outcome is known: a claim is a conditional
UPDATE, so two requests never make the same call at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import detection
from inviteflow.compliance.detection import Read
from inviteflow.compliance.models import (
    CampaignCode,
    CodeAvailability,
    CodeOrder,
    ComplianceScan,
    DetectionSettings,
    Digest,
    Finding,
    LinkRequest,
    Remedy,
    ScanCursor,
)
from inviteflow.core import events
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.core.sync import request_run
from inviteflow.creators.models import Creator
from inviteflow.outreach import services as outreach
from inviteflow.outreach.models import EmailTemplate, OutreachBatch
from inviteflow.posts import services as posts
from inviteflow.posts.models import Post
from inviteflow.posts.resolvers import Target
from inviteflow.tiktok import names, schemas
from inviteflow.tiktok.models import TikTokConnection

Compliance, LinkedVia = Post.Compliance, Post.LinkedVia
LINK_STATUSES = {
    "IN_REVIEW": LinkRequest.Status.IN_REVIEW,
    "APPROVE": LinkRequest.Status.APPROVED,
    "REJECTED": LinkRequest.Status.REJECTED,
    "REVOKE": LinkRequest.Status.REVOKED,
}
CHUNK = 500
SCAN_CAMPAIGN = job("compliance.scan_campaign")
SEND_DIGEST = job("compliance.send_digest")


def takedown_grace() -> timedelta:
    """How long TikTok usually leaves an undisclosed branded post up (sandbox: 72 h)."""
    return timedelta(hours=settings.COMPLIANCE_TAKEDOWN_HOURS)


def signals_of(workspace: Workspace) -> detection.Signals:
    """The workspace's brand names, @handles and disclosure keywords (its settings, else the
    defaults: its name, slug and TikTok One account name)."""
    found = DetectionSettings.objects.filter(workspace=workspace).first()
    if found is not None:
        return detection.Signals(
            tuple(found.brand_names),
            frozenset(found.brand_handles),
            frozenset(found.disclosure_keywords),
        )
    return default_signals(workspace)


def default_signals(workspace: Workspace) -> detection.Signals:
    accounts = TikTokConnection.objects.filter(workspace=workspace).values_list(
        "account_name", flat=True
    )
    names = list(dict.fromkeys(name for name in [workspace.name, *accounts] if name.strip()))
    return detection.Signals(
        tuple(names),
        detection.brand_handles([*names, workspace.slug]),
        frozenset(detection.DEFAULT_DISCLOSURES),
    )


def save_signals(workspace: Workspace, signals: detection.Signals) -> DetectionSettings:
    """The workspace's signals from now on (posts already scanned are not read again)."""
    found, _ = DetectionSettings.objects.update_or_create(
        workspace=workspace,
        defaults={
            "brand_names": list(signals.names),
            "brand_handles": sorted(signals.handles),
            "disclosure_keywords": sorted(signals.disclosures),
        },
    )
    return found


# -- Posts found at risk ----------------------------------------------------------------------


def record_reads(
    workspace: Workspace,
    campaigns: dict[int, Campaign],
    windows: dict[int, list[detection.Window]],
    signals: detection.Signals,
    reads: list[Read],
) -> int:
    """Flag the unknown posts that look like campaign content; advance the cursors."""
    fresh = [read for read in reads if not read.error]
    known = _known_video_ids(workspace, [v.video_id for read in fresh for v in read.videos])
    found = 0
    for read in fresh:
        creator_id = read.target.creator_id
        for video in read.videos:
            hit = (
                None
                if video.video_id in known
                else detection.match(video, windows[creator_id], signals)
            )
            if hit is not None:
                found += flag(workspace, campaigns[hit.campaign_id], creator_id, video, hit.signals)
    _advance_cursors(workspace, fresh)
    return found


def _known_video_ids(workspace: Workspace, video_ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(video_ids), CHUNK):
        chunk = video_ids[start : start + CHUNK]
        known.update(
            Post.objects.filter(workspace=workspace, video_id__in=chunk).values_list(
                "video_id", flat=True
            )
        )
    return known


def flag(
    workspace: Workspace,
    campaign: Campaign,
    creator_id: int,
    video: detection.PublicVideo,
    signals: list[detection.Signal],
) -> bool:
    """An unlinked post at risk of takedown; False when it has a post already (a race)."""
    assert video.published_at is not None
    with transaction.atomic():
        post = posts.record_unlinked(
            workspace,
            campaign,
            creator_id,
            posts.UnlinkedVideo(
                video.video_id, video.caption, list(video.hashtags), video.published_at
            ),
        )
        if post is None:
            return False  # a webhook or another scan brought it first
        Finding.objects.create(
            workspace=workspace,
            post=post,
            markers=[signal.value for signal in signals],
            signals=[signal.as_json() for signal in signals],
            takedown_at=video.published_at + takedown_grace(),
        )
        events.emit("post.at_risk", post)
    return True


def _advance_cursors(workspace: Workspace, reads: list[Read]) -> None:
    rows = [
        ScanCursor(workspace=workspace, creator_id=read.target.creator_id, **_cursor(read))
        for read in reads
    ]
    ScanCursor.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["creator"],
        update_fields=["newest_video_id", "newest_published_at", "covered_since", "scanned_at"],
    )


def _cursor(read: Read) -> dict[str, object]:
    """Where the next scan may stop. Not read to the end: read it all again next time."""
    target, newest = read.target, read.newest
    if read.complete:
        covered = target.covered_since if target.incremental else target.since
    else:
        covered = min((v.published_at for v in read.videos if v.published_at), default=None)
    return {
        "newest_video_id": newest.video_id if newest else target.stop_id,
        "newest_published_at": newest.published_at if newest else target.stop_at,
        "covered_since": covered,
        "scanned_at": timezone.now(),
    }


def mark_removed(post: Post) -> bool:
    """TikTok took the post down before it was linked; False when it is no longer at risk."""
    with transaction.atomic():
        removed_at = posts.mark_removed(post)
        if removed_at is not None:
            Finding.objects.filter(post_id=post.pk).update(removed_at=removed_at)
            events.emit("post.removed", post)
    return removed_at is not None


def attribute(workspace: Workspace, target: Target, video_id: str) -> Post:
    """A video TikTok reports linked through a remedy: remediated, counted like any linked
    post (posts.services does the linking, the checks and the counters)."""
    return posts.attribute(workspace, target, video_id, Post.FoundBy.RECONCILIATION)


# -- Campaign codes ---------------------------------------------------------------------------


CODES_RECHECK_AFTER = timedelta(days=1)  # TikTok may enable the legacy API for the app later


def codes_refused(workspace: Workspace) -> CodeAvailability | None:
    """TikTok's recent refusal of campaign codes for the workspace's account, if any."""
    since = timezone.now() - CODES_RECHECK_AFTER
    return CodeAvailability.objects.filter(workspace=workspace, refused_at__gte=since).first()


def record_codes_refused(workspace: Workspace, code: int | None, message: str) -> None:
    CodeAvailability.objects.update_or_create(
        workspace=workspace,
        defaults={"refused_at": timezone.now(), "code": code, "message": message[:2000]},
    )


def next_code(campaign: Campaign) -> CampaignCode | None:
    """The intent of the campaign's next code; None when another request just recorded it."""
    last = campaign.campaign_codes.aggregate(n=Max("sequence"))["n"] or 0
    sequence = last + 1
    # The legacy order API takes at most 60 characters (contract §6.4); ASCII, with a marker.
    intent = names.with_ref(f"{campaign.name} code {sequence}", names.new_ref(), 60)
    try:
        with transaction.atomic():
            return CampaignCode.objects.create(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                sequence=sequence,
                brand_name=names.ascii_text(campaign.workspace.name)[:60] or "Brand",
                intent_name=intent,
            )
    except IntegrityError:
        return None


def claim_attempt(row: CampaignCode | LinkRequest, stale_before: datetime) -> bool:
    """Take the right to call TikTok for this row: nobody else is, or their try is stale."""
    free = Q(attempted_at__isnull=True) | Q(attempted_at__lt=stale_before)
    claimed = type(row).objects.filter(free, pk=row.pk).update(attempted_at=timezone.now())
    return bool(claimed)


def forget_attempt(row: CampaignCode | LinkRequest) -> None:
    """TikTok did nothing (refused, throttled): calling again is safe."""
    type(row).objects.filter(pk=row.pk).update(attempted_at=None)


def code_issued(code: CampaignCode, campaign_code: str, invite_link: str) -> None:
    CampaignCode.objects.filter(pk=code.pk).update(
        status=CampaignCode.Status.ACTIVE,
        code=campaign_code,
        invite_link=invite_link,
        attempted_at=None,
        issued_at=timezone.now(),
        failure_message="",
    )


def code_located(code: CampaignCode, tiktok_campaign_id: str) -> None:
    """The TikTok campaign object behind the code: attribution and reports need it."""
    CampaignCode.objects.filter(pk=code.pk).update(tiktok_campaign_id=tiktok_campaign_id)


def code_failed(code: CampaignCode, message: str) -> None:
    """TikTok refused the code: the next one gets a new slot."""
    CampaignCode.objects.filter(pk=code.pk).update(
        status=CampaignCode.Status.FAILED, attempted_at=None, failure_message=message[:2000]
    )


def record_orders(code: CampaignCode, orders: Iterable[schemas.Order]) -> None:
    """The creators TikTok lists on the code (matched by handle in the workspace)."""
    by_handle = {order.handle_name.lower(): order.order_id for order in orders}
    creators = scoped(Creator, code.workspace).filter(handle__in=list(by_handle))
    CodeOrder.objects.bulk_create(
        [
            CodeOrder(
                workspace_id=code.workspace_id,
                campaign_code=code,
                creator=creator,
                order_id=by_handle[creator.handle],
            )
            for creator in creators
        ],
        ignore_conflicts=True,
    )


# -- Linking requests -------------------------------------------------------------------------


def link_request_for(
    post: Post,
    invite_link_id: int | None,
    tiktok_campaign_id: str,
) -> LinkRequest:
    request, _ = LinkRequest.objects.get_or_create(
        post=post,
        defaults={
            "workspace_id": post.workspace_id,
            "campaign_id": post.campaign_id,
            "creator_id": post.creator_id,
            "invite_link_id": invite_link_id,
            "tiktok_campaign_id": tiktok_campaign_id,
        },
    )
    return request


def link_seen(request: LinkRequest, info: schemas.LinkInfo, *, reminder: bool = False) -> None:
    """What TikTok says of the request: after a LINK (first or reminder), REVOKE, or a poll."""
    now = timezone.now()
    status = LINK_STATUSES.get(info.status, request.status)
    values: dict[str, object] = {
        "status": status,
        "link_request_id": info.link_request_id or request.link_request_id,
        "number_of_requests": info.number_of_requests or request.number_of_requests,
        "attempted_at": None,
        "checked_at": now,
    }
    if request.requested_at is None:
        values["requested_at"] = now
    if reminder:
        values |= {"reminders_sent": request.reminders_sent + 1, "last_reminded_at": now}
    if status != request.status and status in (
        LinkRequest.Status.APPROVED,
        LinkRequest.Status.REJECTED,
    ):
        values["decided_at"] = now
    LinkRequest.objects.filter(pk=request.pk).update(**values)
    for name, value in values.items():
        setattr(request, name, value)


def link_target(request: LinkRequest) -> Target:
    return Target(
        campaign=request.campaign,
        creator_id=request.creator_id,
        invite_link=request.invite_link,
        linked_via=LinkedVia.LINK_REQUEST,
        tiktok_campaign_id=request.tiktok_campaign_id,
    )


# -- The audit trail and emails to creators ---------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who sent a remedy: a user, an API key, the scheduler."""

    user: User | None
    label: str


@dataclass(frozen=True)
class Emailed:
    batch: OutreachBatch | None
    status: str  # queued, or why not


def email_creator(post: Post, template_key: str, actor: Actor) -> Emailed:
    """The shipped template (or the campaign's own version) to the post's creator, once per
    post: the post is the send-again token, so a retry or double click sends nothing new."""
    template = template_for(post.campaign, template_key)
    batch = outreach.send_outreach(
        post.campaign,
        template,
        [post.creator],
        actor.user,
        send_again_token=f"compliance-post-{post.pk}",
    )
    outcome = (batch.skipped or batch.blocked or [{}])[0]
    return Emailed(batch, "queued" if batch.queued else f"not sent: {outcome.get('reason')}")


def template_for(campaign: Campaign, key: str) -> EmailTemplate:
    outreach.ensure_default_templates(campaign.workspace)
    shipped = scoped(EmailTemplate, campaign.workspace).get(default_key=key)
    own = EmailTemplate.objects.filter(campaign=campaign, name__iexact=shipped.name).first()
    return own or shipped


def has_remedy(post: Post, kind: str) -> bool:
    return Remedy.objects.filter(post=post, kind=kind).exists()


def record_remedy(
    post: Post, kind: str, detail: str, actor: Actor, emailed: Emailed | None = None
) -> Remedy | None:
    """None when this post already has its one campaign code or linking request recorded."""
    try:
        with transaction.atomic():
            return Remedy.objects.create(
                workspace_id=post.workspace_id,
                post=post,
                campaign_id=post.campaign_id,
                creator_id=post.creator_id,
                kind=kind,
                detail=detail[:200],
                actor=actor.user,
                actor_label=actor.label[:200],
                email_batch=emailed.batch if emailed else None,
                email_status=emailed.status[:300] if emailed else "",
            )
    except IntegrityError:
        return None


# -- Digests ----------------------------------------------------------------------------------


def open_digest(workspace: Workspace) -> Digest | None:
    """Posts newly at risk go to the managers in one email, sent after commit."""
    with transaction.atomic():
        new = Finding.objects.filter(
            workspace=workspace, digest=None, post__compliance=Compliance.AT_RISK
        )
        ids = list(new.values_list("pk", flat=True))
        if not ids:
            return None
        digest = Digest.objects.create(workspace=workspace)
        Finding.objects.filter(pk__in=ids, digest=None).update(digest=digest)
        enqueue_on_commit(SEND_DIGEST, digest.pk)
    return digest


def claim_digest(digest: Digest) -> bool:
    return bool(
        Digest.objects.filter(pk=digest.pk, claimed_at=None, sent_at=None).update(
            claimed_at=timezone.now()
        )
    )


def digest_sent(digest: Digest, recipients: list[str]) -> None:
    Digest.objects.filter(pk=digest.pk).update(
        sent_at=timezone.now(), recipients=recipients, error=""
    )


def digest_failed(digest: Digest, error: str) -> None:
    """Released: the periodic job tries again."""
    Digest.objects.filter(pk=digest.pk).update(claimed_at=None, error=error[:2000])


def manager_emails(workspace: Workspace) -> list[str]:
    roles = ("owner", "manager")
    members = workspace.memberships.filter(role__in=roles).select_related("user")
    return sorted(m.user.email for m in members if m.user.email)


# -- Scan state -------------------------------------------------------------------------------


def request_scan(campaign: Campaign) -> ComplianceScan:
    """Scan now: recorded, and the scan enqueued after commit."""
    state = scan_state(campaign)
    request_run(state, SCAN_CAMPAIGN, campaign.pk)
    return state


def scan_state(campaign: Campaign) -> ComplianceScan:
    state, _ = ComplianceScan.objects.get_or_create(
        campaign=campaign, defaults={"workspace_id": campaign.workspace_id}
    )
    return state


def scans_started(campaigns: Iterable[Campaign]) -> QuerySet[ComplianceScan]:
    states = ComplianceScan.objects.filter(pk__in=[scan_state(c).pk for c in campaigns])
    states.update(started_at=timezone.now())
    return states


def scans_finished(
    states: QuerySet[ComplianceScan], figures: dict[str, int], error: str = ""
) -> None:
    states.update(finished_at=timezone.now(), last_error=error[:2000], **figures)
