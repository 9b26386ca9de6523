"""Campaign codes (legacy order API, §6.4): one per campaign, reused for every creator while
TikTok allows (200 creators, 10 posts each per code), then the next.

Creating one makes a TikTok campaign object; its intent is recorded first, and an unknown
outcome is looked up (by the unique name we sent) before anything is created again. A creator
must be on the code's object to apply it, so later creators are added to it (an idempotent
call). The web request makes that one write; finding the object behind a new code, and
recovering a lost answer, happen in the background (reconciliation.py).
"""

import logging
from collections.abc import Callable
from typing import Unpack

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import services
from inviteflow.compliance.models import ORDERS_PER_CODE, CampaignCode, Remedy
from inviteflow.compliance.remedies import (
    Refused,
    check_later,
    claim,
    failed_write,
    require_at_risk,
    unavailable,
)
from inviteflow.creators.models import Creator
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors, names, schemas
from inviteflow.tiktok.client import OrderOptions
from inviteflow.tiktok.connections import TikTokAccount

log = logging.getLogger(__name__)

Kind = Remedy.Kind
CODES_REFUSED = {40001, 40002, 41001, 41002}
LOST_CODE = (
    "TikTok did not answer when this code was made, and this account's campaign-code objects "
    "cannot be looked up; the next request makes a new code."
)  # the legacy order API turned this account down


def send_campaign_code(post: Post, actor: services.Actor, tiktok: TikTokAccount) -> CampaignCode:
    """The creator's code for the post's campaign, emailed once for this post."""
    require_at_risk(post)
    code = obtain_code(post.campaign, post.creator, tiktok)
    if not services.has_remedy(post, Kind.CAMPAIGN_CODE):
        emailed = services.email_creator(post, "campaign_code", actor)
        services.record_remedy(post, Kind.CAMPAIGN_CODE, code.code, actor, emailed)
    return code


def obtain_code(campaign: Campaign, creator: Creator, tiktok: TikTokAccount) -> CampaignCode:
    """A code the creator may apply: theirs, a campaign code with room (the creator added to
    it), or a new one; at most one TikTok write."""
    code = usable_code(campaign, creator)
    if code is None:
        require_codes_offered(campaign.workspace)
        roomy = code_with_room(campaign, creator)
        if roomy is not None:
            _add_creator(roomy, creator, tiktok)
        else:
            _issue_code(campaign, creator, tiktok)
        code = usable_code(campaign, creator)
    if code is None:
        raise Refused("busy", "Another request is making the campaign's code: try again.")
    return code


def require_codes_offered(workspace: Workspace) -> None:
    """Refused: TikTok turned the legacy order API down for this account lately."""
    refused = services.codes_refused(workspace)
    if refused is not None:
        raise Refused("codes_unavailable", codes_unavailable_message(refused.code, refused.message))


def codes_unavailable_message(code: int | None, message: str) -> str:
    return (
        f"TikTok does not offer campaign codes to this account: its legacy order API answered "
        f"{code}: {message}. Send a linking request instead (the creator approves it in the "
        "TikTok app); campaign codes are tried again tomorrow."
    )


def _refused_codes(
    workspace: Workspace, exc: errors.TikTokError, intent: CampaignCode | None = None
) -> None:
    """40001 / 40002 / 41001 from the legacy order API: this account gets no campaign codes
    (it may take no TTO account id, or the endpoint is retired, contract §13). TikTok made
    nothing, so the code's intent is dropped."""
    if exc.code in CODES_REFUSED:
        if intent is not None:
            services.forget_attempt(intent)
        services.record_codes_refused(workspace, exc.code, exc.message)
        raise Refused("codes_unavailable", codes_unavailable_message(exc.code, exc.message))


def usable_code(campaign: Campaign, creator: Creator) -> CampaignCode | None:
    """The creator's newest code with posts left (TikTok caps posts per creator per code)."""
    codes = campaign.campaign_codes.filter(
        status=CampaignCode.Status.ACTIVE, orders__creator=creator
    ).order_by("-sequence")
    return next((code for code in codes if _posts_left(code, creator)), None)


def _posts_left(code: CampaignCode, creator: Creator) -> bool:
    if not code.tiktok_campaign_id:
        return True
    used = Post.objects.filter(
        workspace_id=code.workspace_id,
        creator=creator,
        linked_via=Post.LinkedVia.CAMPAIGN_CODE,
        tiktok_campaign_id=code.tiktok_campaign_id,
    ).count()
    return used < code.posts_per_creator


def code_with_room(campaign: Campaign, creator: Creator) -> CampaignCode | None:
    codes = (
        campaign.campaign_codes.filter(status=CampaignCode.Status.ACTIVE)
        .exclude(orders__creator=creator)
        .order_by("-sequence")
    )
    return next((c for c in codes if c.orders.count() < ORDERS_PER_CODE), None)


def _add_creator(code: CampaignCode, creator: Creator, tiktok: TikTokAccount) -> None:
    """Put the creator on the code's object; TikTok ignores a handle already there."""
    try:
        added = _order(tiktok, code, creator, campaign_code=code.code)
    except errors.Throttled as exc:
        raise unavailable(exc) from exc
    except errors.TikTokError as exc:
        raise Refused(
            "tiktok_unavailable",
            f"TikTok did not add @{creator.handle} to the campaign code: {exc}",
        ) from exc
    services.record_orders(code, added.orders)


def _issue_code(campaign: Campaign, creator: Creator, tiktok: TikTokAccount) -> None:
    """Create the campaign's next code (exactly once), with the creator on it; the object
    behind it is found in the background."""
    code = campaign.campaign_codes.filter(status=CampaignCode.Status.PENDING).first()
    code = code or services.next_code(campaign)
    if code is None:
        return  # another request recorded the intent first
    claim(code)
    try:
        made = _order(tiktok, code, creator, video_number=code.posts_per_creator)
    except errors.TikTokError as exc:
        if isinstance(exc, errors.InvalidParams | errors.NotFound):
            services.code_failed(code, exc.message)
        refused = failed_write(exc, code)
        _refused_codes(campaign.workspace, exc, code)
        raise refused from exc
    services.code_issued(code, made.campaign_code, made.invite_link)
    services.record_orders(code, made.orders)
    check_later(campaign.pk)  # locate the code's campaign object


def _order(
    tiktok: TikTokAccount, code: CampaignCode, creator: Creator, **options: Unpack[OrderOptions]
) -> schemas.OrderCreated:
    """§6.4 the creator's order: on a new code, or added to an existing `campaign_code`."""
    return tiktok.client.create_campaign_code(
        tiktok.account_id, code.brand_name, code.intent_name, [creator.handle], **options
    )


# -- In the background (reconciliation) -------------------------------------------------------


def recover(code: CampaignCode, tiktok: TikTokAccount) -> bool:
    """After an unknown outcome: did TikTok make the object? Then take its code. Whether code
    objects show in the TTO campaign list is unknown (contract §13): where they never did on
    this account, absence proves nothing, so the code is given up (a new one is made next
    time; TikTok may keep an unused one) rather than waited for forever."""
    wanted = names.refs_in(code.intent_name)
    found = find_object(
        tiktok,
        lambda obj: bool(wanted & names.refs_in(obj.campaign_name, obj.campaign_description)),
    )
    if found is None:
        _not_found(code)
        return False
    orders = tiktok.client.get_order(tiktok.account_id, invite_link=found.invite_link).orders
    codes = [order.campaign_code for order in orders if order.campaign_code]
    if not codes:
        services.code_failed(code, "TikTok made the code's campaign object but lists no code")
        return True
    services.code_issued(code, codes[0], found.invite_link)
    services.code_located(code, found.campaign_id)
    services.record_orders(code, orders)
    return True


def _not_found(code: CampaignCode) -> None:
    listed = CampaignCode.objects.filter(workspace_id=code.workspace_id).exclude(
        tiktok_campaign_id=""
    )
    if listed.exists():  # this account lists code objects: it was never made
        services.forget_attempt(code)
    else:
        services.code_failed(code, LOST_CODE)


def locate(code: CampaignCode, tiktok: TikTokAccount) -> None:
    """The order API does not name the code's campaign object; find it by its invite link."""
    try:
        found = find_object(tiktok, lambda obj: obj.invite_link == code.invite_link)
    except (errors.TransientServerError, errors.ConnectionFailed) as exc:
        log.info("campaign object of code %s not located yet: %r", code.pk, exc)
        return  # the next run looks again; a refusal (40002…) reaches the job and shows
    if found is not None:
        services.code_located(code, found.campaign_id)
        code.tiktok_campaign_id = found.campaign_id


def find_object(
    tiktok: TikTokAccount, wanted: Callable[[schemas.Campaign], bool]
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
