"""/api/v1/campaigns/{id}/invite-links: every creator's Campaign Invite Links and their use."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Query, Router, Schema

from inviteflow.accounts.access import get_for_workspace
from inviteflow.api.auth import workspace_of
from inviteflow.api.fields import Id, schema_enum
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.campaigns.models import Campaign
from inviteflow.links import queries, services
from inviteflow.links.models import InviteLink

router = Router(tags=["invite links"])
if TYPE_CHECKING:
    LinkStatus = InviteLink.Status
else:
    LinkStatus = schema_enum("InviteLinkStatus", InviteLink.Status)


class InviteLinkOut(Schema):
    id: int
    creator_id: Id
    sequence: int
    url: str
    max_posts: int
    posts_used: int
    status: LinkStatus
    tiktok_campaign_id: str
    failure_code: str
    failure_message: str


class InviteLinkPage(Schema):
    items: list[InviteLinkOut]
    count: int


class LinkFilters(PageParams):
    creator_id: Id | None = None
    status: LinkStatus | None = None


class ProvisioningOut(Schema):
    total: int
    done: int
    ready: int
    pending: int
    waiting: int  # pending links whose object TikTok made without an invite link yet
    active: int
    exhausted: int
    failed: int
    retired: int
    paused_reason: str


def _campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return get_for_workspace(Campaign, workspace_of(request), pk=campaign_id)


@router.get(
    "/{campaign_id}/invite-links",
    response=InviteLinkPage,
    summary="Invite links of a campaign (filter by creator_id, status)",
)
def list_invite_links(request: HttpRequest, campaign_id: Id, filters: Query[LinkFilters]):
    links = queries.links_of(_campaign(request, campaign_id))
    if filters.creator_id is not None:
        links = links.filter(creator_id=filters.creator_id)
    if filters.status is not None:
        links = links.filter(status=filters.status)
    return page_of(links, filters)


@router.get(
    "/{campaign_id}/invite-links/progress",
    response=ProvisioningOut,
    summary="Provisioning progress: links ready out of links needed, failures, pause",
)
def provisioning_progress(request: HttpRequest, campaign_id: Id):
    campaign = _campaign(request, campaign_id)
    return {**services.progress(campaign), "paused_reason": services.is_paused(campaign)}


@router.post(
    "/{campaign_id}/invite-links/retry-failed",
    response=ProvisioningOut,
    summary="Provision failed links again (after fixing their handles)",
)
def retry_failed(request: HttpRequest, campaign_id: Id):
    campaign = _campaign(request, campaign_id)
    services.retry_failed(campaign)
    return {**services.progress(campaign), "paused_reason": services.is_paused(campaign)}
