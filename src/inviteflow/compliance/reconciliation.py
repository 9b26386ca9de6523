"""What TikTok did with the remedies since (with every scan, and after a remedy whose answer
is still open): writes with an unknown outcome are looked up, link statuses and the codes'
orders are polled, so approved requests and applied codes are attributed even when their
webhooks are lost; an at-risk post gone from the public post list was taken down.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from inviteflow.accounts.access import scoped
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import codes, linking, services
from inviteflow.compliance.models import CampaignCode, LinkRequest, Remedy
from inviteflow.compliance.remedies import RECONCILER, unsure_after
from inviteflow.creators.models import Creator
from inviteflow.posts.models import Post
from inviteflow.posts.resolvers import Target
from inviteflow.tiktok import errors, schemas
from inviteflow.tiktok.connections import TikTokAccount

log = logging.getLogger(__name__)

Kind, LinkStatus = Remedy.Kind, LinkRequest.Status
LOCATE_CODES_FOR = timedelta(days=1)  # a code object not listed by then never will be


def reconcile(campaign: Campaign, tiktok: TikTokAccount) -> dict[str, int]:
    """Bring remedies and at-risk posts in line with TikTok."""
    return {
        "recovered": recover_codes(campaign, tiktok),
        "approved": poll_link_requests(campaign, tiktok),
        "code_linked": poll_codes(campaign, tiktok),
        "removed": check_takedowns(campaign, tiktok),
    }


def recover_codes(campaign: Campaign, tiktok: TikTokAccount) -> int:
    """Codes whose create call never answered: taken from TikTok if it made them."""
    stale_before = timezone.now() - unsure_after()
    unsure = campaign.campaign_codes.filter(
        status=CampaignCode.Status.PENDING, attempted_at__lt=stale_before
    )
    return sum(
        codes.recover(code, tiktok) for code in unsure if services.claim_attempt(code, stale_before)
    )


def poll_link_requests(campaign: Campaign, tiktok: TikTokAccount) -> int:
    """§6.2 states of the campaign's open requests, and of any LINK whose answer was lost
    (not listed: it never reached TikTok, so sending it is safe); approved ones are attributed."""
    stale_before = timezone.now() - unsure_after()
    open_requests = (
        LinkRequest.objects.filter(campaign=campaign)
        .filter(Q(status=LinkStatus.IN_REVIEW) | Q(attempted_at__lt=stale_before))
        .select_related("post", "campaign", "invite_link", "workspace")
    )
    wanted = {(r.tiktok_campaign_id, r.post.video_id): r for r in open_requests}
    approved, seen = 0, set()
    for info in _statuses(tiktok, sorted({object_id for object_id, _ in wanted})):
        request = wanted.get((info.campaign_id, info.video_id))
        if request is not None:
            approved += _polled(request, info)
            seen.add(request.pk)
    for request in wanted.values():
        if request.pk not in seen and request.attempted_at is not None:
            services.forget_attempt(request)
    return approved


def _statuses(tiktok: TikTokAccount, object_ids: list[str]) -> Iterator[schemas.LinkInfo]:
    if object_ids:  # no filter would list every request of the account
        yield from tiktok.client.link_statuses(tiktok.account_id, campaign_ids=object_ids)


def _polled(request: LinkRequest, info: schemas.LinkInfo) -> int:
    was_pending = request.status == LinkStatus.PENDING
    reminded = _reminder_went_through(request, info)
    services.link_seen(request, info, reminder=reminded)
    if was_pending:  # a LINK whose answer was lost had gone through: tell the creator too
        emailed = services.email_creator(request.post, "linking_request", RECONCILER)
        detail = request.link_request_id
        services.record_remedy(request.post, Kind.LINK_REQUEST, detail, RECONCILER, emailed)
    if reminded:
        linking.record_reminder(request, RECONCILER)
    if request.status != LinkStatus.APPROVED or request.post.is_linked:
        return 0
    services.attribute(request.workspace, services.link_target(request), request.post.video_id)
    return 1


def _reminder_went_through(request: LinkRequest, info: schemas.LinkInfo) -> bool:
    """A reminder (LINK again) whose answer was lost: TikTok counts one request more."""
    return (
        request.attempted_at is not None
        and request.attempted_at < timezone.now() - unsure_after()
        and request.status != LinkStatus.PENDING
        and (info.number_of_requests or 0) > request.number_of_requests
    )


def poll_codes(campaign: Campaign, tiktok: TikTokAccount) -> int:
    """§6.4 orders of the campaign's codes: videos linked with a code become remediated. The
    orders name the videos, so this works whether or not the code's object shows in the TTO
    campaign list (unknown, contract §13); it is looked for there only in its first day."""
    linked = 0
    for code in campaign.campaign_codes.filter(status=CampaignCode.Status.ACTIVE):
        if not code.tiktok_campaign_id and _newly_issued(code):
            codes.locate(code, tiktok)
        linked += _attribute_orders(code, list(_orders(code, tiktok)))
    return linked


def _newly_issued(code: CampaignCode) -> bool:
    return code.issued_at is None or code.issued_at > timezone.now() - LOCATE_CODES_FOR


def _orders(code: CampaignCode, tiktok: TikTokAccount) -> Iterator[schemas.Order]:
    page = 1
    while True:
        result = tiktok.client.get_order(tiktok.account_id, campaign_code=code.code, page=page)
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


def check_takedowns(campaign: Campaign, tiktok: TikTokAccount) -> int:
    """An at-risk post missing from the creator's public posts was taken down (§4.3 lists
    live posts only)."""
    by_handle: dict[str, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(
        campaign=campaign, compliance=Post.Compliance.AT_RISK
    ).select_related("creator"):
        by_handle[post.creator.handle].append(post)
    removed = 0
    for handle, posts in by_handle.items():
        removed += _check_live(tiktok, handle, posts)
    return removed


def _check_live(tiktok: TikTokAccount, handle: str, posts: list[Post]) -> int:
    """A refused read (40002) is raised: the job shows it instead of seeing no takedowns."""
    video_ids = [p.video_id for p in posts]
    try:
        items = tiktok.client.creator_videos(tiktok.account_id, handle, video_ids=video_ids)
        live = {item.video_id for item in items}
    except errors.NotFound as exc:
        log.info("takedown check of @%s: %r", handle, exc)
        return 0
    return sum(services.mark_removed(post) for post in posts if post.video_id not in live)
