"""Remedies for posts at risk, and what TikTok says of them since. Calls TikTok; every write
goes through services.

Campaign code (legacy order API, §6.4): one per campaign, reused for every creator while
TikTok allows (200 creators, 10 posts each per code), then the next. Creating one makes a
TikTok campaign object; its intent is recorded first and an unknown outcome is looked up
(by the unique description we sent) before anything is created again. A creator must be
on the code's object to apply it, so later creators are added to it (an idempotent call).

Linking request (§6.1): LINK on the video against the creator's invite-link object, once
per video; reminders (LINK again) are bounded in number and spacing; REVOKE while in
review. TikTok counts every LINK, so one whose outcome is unknown is looked up in the link
statuses (§6.2) before it is sent again.

Reconciliation (with every scan): link statuses and the codes' orders are polled, so
approved requests and applied codes are attributed even when their webhooks are lost; an
at-risk post gone from the public post list was taken down.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import services
from inviteflow.compliance.models import (
    ORDERS_PER_CODE,
    CampaignCode,
    LinkRequest,
    Remedy,
)
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from inviteflow.posts.resolvers import Target
from inviteflow.tiktok import errors, schemas
from inviteflow.tiktok.connections import NotConnected, TikTokAccount, client_for

log = logging.getLogger(__name__)

Kind, LinkStatus = Remedy.Kind, LinkRequest.Status
IDS_PER_CALL = 20  # campaign_ids / video_ids per call (the sandbox's limit)
PAGE_SIZE = 20
RECONCILER = services.Actor(None, "reconciliation (TikTok had done it)")


class Refused(Exception):
    """A remedy that cannot be sent now; `code` is machine-readable, the message says why."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


TikTok = TikTokAccount


@contextmanager
def tiktok_for(workspace: Workspace) -> Iterator[TikTok]:
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


def _require_at_risk(post: Post) -> None:
    if post.compliance != Post.Compliance.AT_RISK:
        raise Refused(
            "not_at_risk",
            f"This post is {post.get_compliance_display().lower()}, "
            "not at risk: there is nothing to fix.",
        )


def _claim(row: CampaignCode | LinkRequest) -> bool:
    """Take `row` for this request (else Refused busy); True when an earlier try of it has
    an unknown outcome, to be looked up on TikTok before calling again."""
    if not services.claim_attempt(row, timezone.now() - unsure_after()):
        raise Refused(
            "busy",
            "TikTok is being asked about this right now: try again in a "
            "minute (nothing will be sent twice).",
        )
    return row.attempted_at is not None


def _failed_write(exc: errors.TikTokError, row: CampaignCode | LinkRequest) -> Refused:
    """Sort a failed write: TikTok did nothing, refused, or may have done it (intent kept)."""
    if isinstance(exc, errors.Throttled | errors.AuthError | errors.PermissionDenied):
        services.forget_attempt(row)
        return Refused(
            "tiktok_unavailable",
            f"TikTok did not accept the call now ({exc}). Try again later.",
            503,
        )
    if isinstance(exc, errors.InvalidParams | errors.NotFound):
        services.forget_attempt(row)
        return Refused("tiktok_refused", f"TikTok refused it: {exc.message}", 502)
    return Refused(
        "tiktok_unsure",
        "TikTok did not answer in time. Try again in a minute: it "
        "will be checked with TikTok, never sent twice.",
        503,
    )


# -- Campaign codes -------------------------------------------------------------------------


def send_campaign_code(post: Post, actor: services.Actor, tiktok: TikTok) -> CampaignCode:
    """The creator's code for the post's campaign, emailed once for this post."""
    _require_at_risk(post)
    code = obtain_code(post.campaign, post.creator, tiktok)
    if not services.has_remedy(post, Kind.CAMPAIGN_CODE):
        emailed = services.email_creator(post, "campaign_code", actor)
        services.record_remedy(post, Kind.CAMPAIGN_CODE, code.code, actor, emailed)
    return code


def obtain_code(campaign: Campaign, creator: Creator, tiktok: TikTok) -> CampaignCode:
    """A code the creator may apply: theirs, a campaign code with room, or a new one."""
    for _ in range(3):
        code = usable_code(campaign, creator)
        if code is not None:
            return code
        roomy = code_with_room(campaign, creator)
        if roomy is not None:
            _add_creator(roomy, creator, tiktok)
        else:
            _issue_code(campaign, creator, tiktok)
    raise Refused("tiktok_unsure", "TikTok gave no campaign code this creator can use.", 503)


def usable_code(campaign: Campaign, creator: Creator) -> CampaignCode | None:
    """The creator's newest code with posts left (TikTok caps posts per creator per code)."""
    codes = campaign.campaign_codes.filter(
        status=CampaignCode.Status.ACTIVE, orders__creator=creator
    ).order_by("-sequence")
    for code in codes:
        used = (
            Post.objects.filter(
                workspace_id=campaign.workspace_id,
                creator=creator,
                linked_via=Post.LinkedVia.CAMPAIGN_CODE,
                tiktok_campaign_id=code.tiktok_campaign_id,
            ).count()
            if code.tiktok_campaign_id
            else 0
        )
        if used < code.posts_per_creator:
            return code
    return None


def code_with_room(campaign: Campaign, creator: Creator) -> CampaignCode | None:
    codes = (
        campaign.campaign_codes.filter(status=CampaignCode.Status.ACTIVE)
        .exclude(orders__creator=creator)
        .order_by("-sequence")
    )
    return next((c for c in codes if c.orders.count() < ORDERS_PER_CODE), None)


def _add_creator(code: CampaignCode, creator: Creator, tiktok: TikTok) -> None:
    """Put the creator on the code's object; TikTok ignores a handle already there."""
    try:
        added = tiktok.client.create_campaign_code(
            tiktok.account_id,
            code.brand_name,
            code.intent_name,
            [creator.handle],
            campaign_code=code.code,
        )
    except errors.TikTokError as exc:
        raise Refused(
            "tiktok_unavailable",
            f"TikTok did not add @{creator.handle} to the campaign code: {exc}",
            503,
        ) from exc
    services.record_orders(code, added.orders)


def _issue_code(campaign: Campaign, creator: Creator, tiktok: TikTok) -> None:
    """Create the campaign's next code (exactly once), with the creator on it."""
    code = campaign.campaign_codes.filter(status=CampaignCode.Status.PENDING).first()
    code = code or services.next_code(campaign)
    if code is None:
        return  # another request recorded the intent first: look again
    if _claim(code) and _recover(code, tiktok):
        return
    try:
        made = tiktok.client.create_campaign_code(
            tiktok.account_id,
            code.brand_name,
            code.intent_name,
            [creator.handle],
            video_number=code.posts_per_creator,
        )
    except errors.TikTokError as exc:
        if isinstance(exc, errors.InvalidParams | errors.NotFound):
            services.code_failed(code, exc.message)
        raise _failed_write(exc, code) from exc
    services.code_issued(code, made.campaign_code, made.invite_link)
    services.record_orders(code, made.orders)
    code.invite_link = made.invite_link
    _locate(code, tiktok)


def _recover(code: CampaignCode, tiktok: TikTok) -> bool:
    """After an unknown outcome: did TikTok make the object? Then take its code."""
    try:
        found = find_object(tiktok, lambda obj: obj.campaign_name == code.intent_name)
        orders = (
            tiktok.client.get_order(
                tiktok.account_id, invite_link=found.invite_link, page_size=PAGE_SIZE
            ).orders
            if found
            else []
        )
    except errors.TikTokError as exc:
        raise Refused("tiktok_unavailable", f"Could not check with TikTok: {exc}", 503) from exc
    if found is None:
        return False
    codes = [order.campaign_code for order in orders if order.campaign_code]
    if not codes:
        services.code_failed(code, "TikTok made the code's campaign object but lists no code")
        return True
    services.code_issued(code, codes[0], found.invite_link)
    services.code_located(code, found.campaign_id)
    services.record_orders(code, orders)
    return True


def _locate(code: CampaignCode, tiktok: TikTok) -> None:
    """The order API does not name the code's campaign object; find it by its invite link."""
    try:
        found = find_object(tiktok, lambda obj: obj.invite_link == code.invite_link)
    except errors.TikTokError as exc:
        log.info("campaign object of code %s not located yet: %r", code.pk, exc)
        return
    if found is not None:
        services.code_located(code, found.campaign_id)
        code.tiktok_campaign_id = found.campaign_id


def find_object(
    tiktok: TikTok, wanted: Callable[[schemas.Campaign], bool]
) -> schemas.Campaign | None:
    """The account's campaign object that `wanted`, newest page first (§5.4 lists objects
    in creation order, 5 a page, so a new one is on the last page)."""
    first = tiktok.client.campaigns_page(tiktok.account_id, campaign_type="CAMPAIGN")
    for number in range(max(first.page_info.total_page, 1), 0, -1):
        page = (
            first
            if number == 1
            else tiktok.client.campaigns_page(
                tiktok.account_id, campaign_type="CAMPAIGN", page=number
            )
        )
        found = next((obj for obj in reversed(page.campaigns) if wanted(obj)), None)
        if found is not None:
            return found
    return None


# -- Linking requests -------------------------------------------------------------------------


def send_link_request(post: Post, actor: services.Actor, tiktok: TikTok) -> LinkRequest:
    """LINK the post against the creator's invite-link object: once per video."""
    _require_at_risk(post)
    link = invite_link_of(post)
    request = services.link_request_for(post, link.pk, link.tiktok_campaign_id)
    if request.status != LinkStatus.PENDING:
        return request  # sent already; reminders are their own action
    unsure = _claim(request)
    info = _lookup(request, tiktok) if unsure else None
    services.link_seen(request, info or _link(request, tiktok))
    emailed = services.email_creator(post, "linking_request", actor)
    services.record_remedy(post, Kind.LINK_REQUEST, request.link_request_id, actor, emailed)
    if request.status == LinkStatus.APPROVED:  # already linked to that object
        services.attribute(post.workspace, services.link_target(request), post.video_id)
    return request


def remind_link_request(post: Post, actor: services.Actor, tiktok: TikTok) -> LinkRequest:
    """LINK again: TikTok reminds the creator (or reopens a rejected or revoked request)."""
    _require_at_risk(post)
    request = _request_of(post)
    _check_reminder(request)
    if _claim(request):
        info = _lookup(request, tiktok)
        if info and (info.number_of_requests or 0) > request.number_of_requests:
            return _reminded(request, info, actor)  # the unsure reminder went through
    return _reminded(request, _link(request, tiktok), actor)


def _reminded(request: LinkRequest, info: schemas.LinkInfo, actor: services.Actor) -> LinkRequest:
    services.link_seen(request, info, reminder=True)
    services.record_remedy(
        request.post,
        Kind.REMINDER,
        f"{request.link_request_id} (request {request.number_of_requests})",
        actor,
    )
    return request


def revoke_link_request(post: Post, actor: services.Actor, tiktok: TikTok) -> LinkRequest:
    """Withdraw a request the creator has not answered yet."""
    request = _request_of(post)
    if request.status != LinkStatus.IN_REVIEW:
        raise Refused(
            "not_in_review",
            f"The linking request is "
            f"{request.get_status_display().lower()}: only one "
            "waiting for the creator can be revoked.",
        )
    try:
        info = tiktok.client.revoke_link(
            tiktok.account_id, request.tiktok_campaign_id, post.video_id
        )
    except errors.InvalidParams:
        info = _revoked_already(request, tiktok)
    except errors.TikTokError as exc:
        raise Refused("tiktok_unavailable", f"TikTok did not revoke it now: {exc}", 503) from exc
    services.link_seen(request, info)
    services.record_remedy(post, Kind.REVOKE, request.link_request_id, actor)
    return request


def _revoked_already(request: LinkRequest, tiktok: TikTok) -> schemas.LinkInfo:
    """TikTok refused the REVOKE: an earlier one went through, or the creator answered."""
    info = _lookup(request, tiktok)
    if info is None or info.status != "REVOKE":
        raise Refused(
            "not_in_review",
            "TikTok says the request is no longer in review: the creator answered it meanwhile.",
        )
    return info


def invite_link_of(post: Post) -> InviteLink:
    """The creator's invite-link object on the post's campaign (newest that TikTok has)."""
    links = (
        InviteLink.objects.filter(campaign_id=post.campaign_id, creator_id=post.creator_id)
        .exclude(tiktok_campaign_id="")
        .order_by("-sequence")
    )
    link = links.exclude(status=InviteLink.Status.RETIRED).first() or links.first()
    if link is None:
        raise Refused(
            "no_invite_link",
            "The creator has no invite link on TikTok yet, and a "
            "linking request needs one: send a campaign code.",
        )
    return link


def _request_of(post: Post) -> LinkRequest:
    request = LinkRequest.objects.filter(post=post).select_related("post").first()
    if request is None or request.status == LinkStatus.PENDING:
        raise Refused("no_link_request", "No linking request was sent for this post yet.")
    return request


def _check_reminder(request: LinkRequest) -> None:
    most = settings.COMPLIANCE_LINK_REMINDERS_MAX
    every = timedelta(hours=settings.COMPLIANCE_LINK_REMINDER_HOURS)
    if request.status == LinkStatus.APPROVED:
        raise Refused("approved", "The creator approved the request: nothing to remind.")
    if request.reminders_sent >= most:
        raise Refused("reminder_limit", f"{most} reminders were sent already: that is the most.")
    last = request.last_reminded_at or request.requested_at
    if last and timezone.now() < last + every:
        hours = every.total_seconds() / 3600
        raise Refused(
            "reminder_too_soon",
            f"The last request went out {timesince(last)} ago: remind at most every {hours:g} h.",
        )


def _link(request: LinkRequest, tiktok: TikTok) -> schemas.LinkInfo:
    try:
        return tiktok.client.link_video(
            tiktok.account_id, request.tiktok_campaign_id, request.post.video_id
        )
    except errors.TikTokError as exc:
        raise _failed_write(exc, request) from exc


def _lookup(request: LinkRequest, tiktok: TikTok) -> schemas.LinkInfo | None:
    """TikTok's view of the request for this video, if it has one."""
    try:
        for info in tiktok.client.link_statuses(
            tiktok.account_id, campaign_ids=[request.tiktok_campaign_id], page_size=PAGE_SIZE
        ):
            if info.video_id == request.post.video_id:
                return info
    except errors.TikTokError as exc:
        raise Refused("tiktok_unavailable", f"Could not check with TikTok: {exc}", 503) from exc
    return None


# -- Reconciliation -------------------------------------------------------------------------


def reconcile(campaign: Campaign, tiktok: TikTok) -> dict[str, int]:
    """Bring remedies and at-risk posts in line with TikTok (run with every scan)."""
    return {
        "approved": poll_link_requests(campaign, tiktok),
        "code_linked": poll_codes(campaign, tiktok),
        "removed": check_takedowns(campaign, tiktok),
    }


def poll_link_requests(campaign: Campaign, tiktok: TikTok) -> int:
    """§6.2 states of the campaign's open requests; approved ones are attributed."""
    open_requests = (
        LinkRequest.objects.filter(
            campaign=campaign, status__in=[LinkStatus.PENDING, LinkStatus.IN_REVIEW]
        )
        .exclude(status=LinkStatus.PENDING, attempted_at=None)
        .select_related("post", "campaign", "invite_link", "workspace")
    )
    wanted = {(r.tiktok_campaign_id, r.post.video_id): r for r in open_requests}
    objects = sorted({object_id for object_id, _ in wanted})
    approved = 0
    for start in range(0, len(objects), IDS_PER_CALL):
        for info in tiktok.client.link_statuses(
            tiktok.account_id,
            campaign_ids=objects[start : start + IDS_PER_CALL],
            page_size=PAGE_SIZE,
        ):
            request = wanted.get((info.campaign_id, info.video_id))
            if request is not None:
                approved += _polled(request, info)
    return approved


def _polled(request: LinkRequest, info: schemas.LinkInfo) -> int:
    was_pending = request.status == LinkStatus.PENDING
    services.link_seen(request, info)
    if was_pending:  # a LINK that timed out had gone through
        services.record_remedy(request.post, Kind.LINK_REQUEST, request.link_request_id, RECONCILER)
    if request.status != LinkStatus.APPROVED or request.post.is_linked:
        return 0
    services.attribute(request.workspace, services.link_target(request), request.post.video_id)
    return 1


def poll_codes(campaign: Campaign, tiktok: TikTok) -> int:
    """§6.4 orders of the campaign's codes: videos linked with a code become remediated."""
    linked = 0
    for code in campaign.campaign_codes.filter(status=CampaignCode.Status.ACTIVE):
        if not code.tiktok_campaign_id:
            _locate(code, tiktok)
        if code.tiktok_campaign_id:
            linked += _attribute_orders(code, list(_orders(code, tiktok)))
    return linked


def _orders(code: CampaignCode, tiktok: TikTok) -> Iterator[schemas.Order]:
    page = 1
    while True:
        result = tiktok.client.get_order(
            tiktok.account_id, campaign_code=code.code, page=page, page_size=PAGE_SIZE
        )
        yield from result.orders
        if page >= result.page_info.total_page or not result.orders:
            return
        page += 1


def _attribute_orders(code: CampaignCode, orders: list[schemas.Order]) -> int:
    services.record_orders(code, orders)
    handles = {order.handle_name.lower() for order in orders if order.video_ids}
    creators = dict(
        scoped(Creator, code.workspace).filter(handle__in=handles).values_list("handle", "pk")
    )
    video_ids = [v for order in orders for v in order.video_ids]
    linked = set(
        scoped(Post, code.workspace)
        .filter(video_id__in=video_ids)
        .exclude(linked_via="")
        .values_list("video_id", flat=True)
    )
    count = 0
    for order in orders:
        creator_id = creators.get(order.handle_name.lower())
        for video_id in order.video_ids:
            if creator_id is not None and video_id not in linked:
                services.attribute(code.workspace, code_target(code, creator_id), video_id)
                count += 1
    return count


def code_target(code: CampaignCode, creator_id: int) -> Target:
    return Target(
        campaign=code.campaign,
        creator_id=creator_id,
        invite_link=None,
        linked_via=Post.LinkedVia.CAMPAIGN_CODE,
        tiktok_campaign_id=code.tiktok_campaign_id,
    )


def check_takedowns(campaign: Campaign, tiktok: TikTok) -> int:
    """An at-risk post missing from the creator's public posts was taken down (§4.3 lists
    live posts only)."""
    by_handle: dict[str, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(
        campaign=campaign, compliance=Post.Compliance.AT_RISK
    ).select_related("creator"):
        by_handle[post.creator.handle].append(post)
    removed = 0
    for handle, posts in by_handle.items():
        for start in range(0, len(posts), IDS_PER_CALL):
            removed += _check_live(tiktok, handle, posts[start : start + IDS_PER_CALL])
    return removed


def _check_live(tiktok: TikTok, handle: str, posts: list[Post]) -> int:
    try:
        page = tiktok.client.creator_videos_page(
            tiktok.account_id, handle, video_ids=[p.video_id for p in posts], limit=len(posts)
        )
    except (errors.InvalidParams, errors.NotFound) as exc:
        log.info("takedown check of @%s: %r", handle, exc)
        return 0
    live = {item.video_id for item in page.posts}
    return sum(services.mark_removed(post) for post in posts if post.video_id not in live)
