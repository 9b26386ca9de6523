"""/api/v1/campaigns: campaigns and their roster. Thin: parse, call services, shape the answer.

Adding a creator who is already on the roster answers 200 with their entry (201 when
newly added), so clients can retry safely; a `posts_required` sent with it replaces
the creator's override, so the same call also changes what they owe.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as Reply

from inviteflow.accounts.access import get_for_workspace
from inviteflow.api.auth import workspace_of
from inviteflow.api.errors import ApiError
from inviteflow.api.fields import Id, schema_enum
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.campaigns import queries, services
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator

router = Router(tags=["campaigns"])

ContentType = Campaign.ContentType
if TYPE_CHECKING:
    Status = Campaign.Status
else:
    Status = schema_enum("CampaignStatus", Campaign.Status)


class CampaignOut(Schema):
    id: int
    name: str
    brief: str
    starts_on: date
    ends_on: date
    content_type: ContentType
    posts_required: int
    hashtags: list[str]
    countries: list[str]
    tiktok_enabled: bool
    status: Status
    created_at: datetime


class CampaignIn(Schema):
    name: str
    brief: str = ""
    starts_on: date
    ends_on: date
    content_type: ContentType = ContentType.VIDEO
    posts_required: int = 1
    hashtags: list[str] = []
    countries: list[str] = []
    tiktok_enabled: bool = False
    status: Status = Status.DRAFT


class CampaignPatch(Schema):
    """Only the fields sent change."""

    name: str | None = None
    brief: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    content_type: ContentType | None = None
    posts_required: int | None = None
    hashtags: list[str] | None = None
    countries: list[str] | None = None
    tiktok_enabled: bool | None = None
    status: Status | None = None


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int


class RosterEntryOut(Schema):
    creator_id: Id
    name: str
    handle: str
    posts_required: int
    posts_required_override: int | None
    added_at: datetime

    @staticmethod
    def resolve_name(entry: CampaignCreator) -> str:
        return entry.creator.name

    @staticmethod
    def resolve_handle(entry: CampaignCreator) -> str:
        return entry.creator.handle


class RosterPage(Schema):
    items: list[RosterEntryOut]
    count: int


class RosterAdd(Schema):
    creator_id: Id
    posts_required: int | None = None


def _campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return get_for_workspace(Campaign, workspace_of(request), pk=campaign_id)


def _creator(request: HttpRequest, creator_id: Id) -> Creator:
    return get_for_workspace(Creator, workspace_of(request), pk=creator_id)


@router.get("", response=CampaignPage, summary="List campaigns")
def list_campaigns(request: HttpRequest, page: Query[PageParams], status: Status | None = None):
    return page_of(queries.campaigns_of(workspace_of(request), status or ""), page)


@router.post("", response={201: CampaignOut}, summary="Create a campaign")
def create_campaign(request: HttpRequest, payload: CampaignIn):
    return Reply(201, services.create_campaign(workspace_of(request), **payload.model_dump()))


@router.get("/{campaign_id}", response=CampaignOut, summary="One campaign")
def get_campaign(request: HttpRequest, campaign_id: Id):
    return _campaign(request, campaign_id)


@router.patch("/{campaign_id}", response=CampaignOut, summary="Change a campaign")
def update_campaign(request: HttpRequest, campaign_id: Id, payload: CampaignPatch):
    campaign = _campaign(request, campaign_id)
    return services.update_campaign(campaign, **payload.model_dump(exclude_unset=True))


@router.get("/{campaign_id}/creators", response=RosterPage, summary="The campaign's roster")
def list_roster(request: HttpRequest, campaign_id: Id, page: Query[PageParams]):
    return page_of(queries.roster_of(_campaign(request, campaign_id)), page)


@router.post(
    "/{campaign_id}/creators",
    response={200: RosterEntryOut, 201: RosterEntryOut},
    summary="Add a creator to the roster (200 when already on it)",
)
def add_to_roster(request: HttpRequest, campaign_id: Id, payload: RosterAdd):
    campaign = _campaign(request, campaign_id)
    creator = _creator(request, payload.creator_id)
    added = services.add_creators(campaign, [creator], payload.posts_required)
    entry = queries.roster_of(campaign).get(creator=creator)
    if added:
        return Reply(201, entry)
    if payload.posts_required is not None:
        services.set_posts_required_override(entry, payload.posts_required)
    return Reply(200, entry)


@router.delete(
    "/{campaign_id}/creators/{creator_id}",
    response={204: None},
    summary="Take a creator off the roster",
)
def remove_from_roster(request: HttpRequest, campaign_id: Id, creator_id: Id):
    campaign = _campaign(request, campaign_id)
    if not services.remove_creator(campaign, _creator(request, creator_id)):
        message = f"creator {creator_id} is not on this campaign's roster"
        raise ApiError(404, "not_on_roster", message)
    return Reply(204, None)
