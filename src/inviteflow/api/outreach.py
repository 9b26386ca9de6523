"""/api/v1 outreach: email templates, previews, sending to a campaign's creators, the Outbox.

Thin: the rules live in inviteflow.outreach.services. Objects — also those named in a
body (campaign_id, template_id, creator_ids) — come through the tenant helpers, so
another workspace's id is a 404. Sending answers 202: delivery happens in the
background; poll GET /outreach-batches/{id} or GET /outbox?campaign=ID.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from inviteflow.accounts.access import get_for_workspace, scoped
from inviteflow.accounts.models import Workspace
from inviteflow.api.auth import workspace_of
from inviteflow.api.errors import ApiError
from inviteflow.api.fields import Id
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.campaigns.models import Campaign
from inviteflow.creators.models import Creator
from inviteflow.outreach import queries, services
from inviteflow.outreach.models import EmailTemplate, OutboxMessage, OutreachBatch, sha256

router = Router(tags=["outreach"])


class TemplateOut(Schema):
    id: int
    name: str
    subject: str
    body: str
    html_body: str
    campaign_id: Id | None
    created_at: datetime
    updated_at: datetime


class TemplateIn(Schema):
    name: str = ""
    subject: str = ""
    body: str = ""
    html_body: str = ""
    campaign_id: Id | None = None


class TemplatePatch(Schema):
    """Only the fields sent change; `campaign_id: null` makes it a workspace-wide template."""

    name: str | None = None
    subject: str | None = None
    body: str | None = None
    html_body: str | None = None
    campaign_id: Id | None = None


class TemplatePage(Schema):
    items: list[TemplateOut]
    count: int


class PreviewIn(Schema):
    creator_id: Id | None = None
    campaign_id: Id | None = None


class PreviewOut(Schema):
    subject: str
    body: str
    html_body: str
    blocked_reason: str


class OutreachIn(Schema):
    template_id: Id
    creator_ids: list[Id]
    send_again: bool = False
    idempotency_key: str = ""


class CreatorOutcome(Schema):
    creator_id: Id
    reason: str


class BatchOut(Schema):
    """queued/sent/failed count messages; skipped (already had it) and blocked name each creator."""

    batch_id: Id
    status: str
    queued: int
    sent: int
    failed: int
    skipped: list[CreatorOutcome]
    blocked: list[CreatorOutcome]


class MessageOut(Schema):
    id: int
    status: Literal["queued", "sent", "failed"]
    to: str
    subject: str
    body: str
    html_body: str
    error: str
    campaign_id: Id | None
    creator_id: Id | None
    batch_id: Id | None
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_status(message: OutboxMessage) -> str:
        return message.public_status

    @staticmethod
    def resolve_to(message: OutboxMessage) -> str:
        return message.to_email


class OutboxPage(Schema):
    items: list[MessageOut]
    count: int


def _campaign(workspace: Workspace, campaign_id: Id | None) -> Campaign | None:
    return None if campaign_id is None else get_for_workspace(Campaign, workspace, pk=campaign_id)


@router.get("/email-templates", response=TemplatePage, summary="List email templates")
def list_templates(request: HttpRequest, page: Query[PageParams]):
    """The shipped defaults are created on first use."""
    services.ensure_default_templates(workspace_of(request))
    return page_of(queries.templates_of(workspace_of(request)), page)


@router.post("/email-templates", response={201: TemplateOut}, summary="Create an email template")
def create_template(request: HttpRequest, payload: TemplateIn):
    """Unknown placeholders and syntax errors answer 422, naming the field and each problem."""
    workspace = workspace_of(request)
    fields = payload.dict(exclude={"campaign_id"})
    template = services.create_template(
        workspace, **fields, campaign=_campaign(workspace, payload.campaign_id)
    )
    return Status(201, template)


@router.get("/email-templates/{template_id}", response=TemplateOut, summary="One email template")
def get_template(request: HttpRequest, template_id: Id):
    return get_for_workspace(EmailTemplate, workspace_of(request), pk=template_id)


@router.patch(
    "/email-templates/{template_id}", response=TemplateOut, summary="Change an email template"
)
def update_template(request: HttpRequest, template_id: Id, payload: TemplatePatch):
    workspace = workspace_of(request)
    template = get_for_workspace(EmailTemplate, workspace, pk=template_id)
    changes = payload.dict(exclude_unset=True)
    if "campaign_id" in changes:
        changes["campaign"] = _campaign(workspace, changes.pop("campaign_id"))
    return services.update_template(template, **changes)


@router.post(
    "/email-templates/{template_id}/preview",
    response=PreviewOut,
    summary="Render a template for one creator of a campaign",
)
def preview_template(request: HttpRequest, template_id: Id, payload: PreviewIn):
    """Without creator_id and campaign_id the catalogue's example values are used.
    `blocked_reason` says why this creator would not be sent the email (empty: sendable)."""
    workspace = workspace_of(request)
    template = get_for_workspace(EmailTemplate, workspace, pk=template_id)
    campaign = _campaign(workspace, payload.campaign_id or template.campaign_id)
    creator = None
    if payload.creator_id is not None:
        if campaign is None:
            raise ValidationError({"campaign_id": "required with creator_id"})
        creator = get_for_workspace(Creator, workspace, pk=payload.creator_id)
        _check_on_roster(campaign, [creator], "creator_id")
    return services.preview(template, campaign, creator)


def _check_on_roster(campaign: Campaign, creators: list[Creator], field: str) -> None:
    on_roster = set(queries.roster_creators(campaign).values_list("pk", flat=True))
    strangers = [str(c.pk) for c in creators if c.pk not in on_roster]
    if strangers:
        raise ValidationError({field: f"not on this campaign's roster: {', '.join(strangers)}"})


def _creators(workspace: Workspace, creator_ids: list[Id]) -> list[Creator]:
    wanted = list(dict.fromkeys(creator_ids))
    if not wanted:
        raise ValidationError({"creator_ids": "choose at least one creator"})
    found = {c.pk: c for c in scoped(Creator, workspace).filter(pk__in=wanted)}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise ApiError(404, "not_found", f"creator_ids: no such creator: {', '.join(unknown)}")
    return [found[i] for i in wanted]


@router.post(
    "/campaigns/{campaign_id}/outreach",
    response={202: BatchOut},
    summary="Email a template to creators of a campaign",
)
def send_outreach(request: HttpRequest, campaign_id: Id, payload: OutreachIn):
    """Each creator gets this template, as currently worded, once: those who already had it
    are `skipped`, so retrying the call is safe. `send_again: true` sends it to them anyway;
    give an `idempotency_key` with it to make that call safe to retry too. Creators missing
    a value the template needs (an email address, an invite link…) are `blocked`, with why."""
    workspace = workspace_of(request)
    campaign = get_for_workspace(Campaign, workspace, pk=campaign_id)
    template = get_for_workspace(EmailTemplate, workspace, pk=payload.template_id)
    creators = _creators(workspace, payload.creator_ids)
    _check_on_roster(campaign, creators, "creator_ids")
    token = ""
    if payload.send_again:
        token = (
            sha256(f"api\x1f{payload.idempotency_key}")
            if payload.idempotency_key
            else services.new_send_again_token()
        )
    batch = services.send_outreach(campaign, template, creators, send_again_token=token)
    return Status(202, _batch_out(batch))


@router.get("/outreach-batches/{batch_id}", response=BatchOut, summary="A send's progress")
def get_batch(request: HttpRequest, batch_id: Id):
    return _batch_out(get_for_workspace(OutreachBatch, workspace_of(request), pk=batch_id))


def _batch_out(batch: OutreachBatch) -> dict:
    progress = queries.progress_of(batch)
    return {
        "batch_id": batch.pk,
        "status": batch.status,
        "queued": progress.queued,
        "sent": progress.sent,
        "failed": progress.failed,
        "skipped": batch.skipped,
        "blocked": batch.blocked,
    }


@router.get("/outbox", response=OutboxPage, summary="Emails queued and sent, newest first")
def list_outbox(
    request: HttpRequest,
    page: Query[PageParams],
    campaign: Id | None = None,
    status: Literal["queued", "sent", "failed"] | None = None,
):
    workspace = workspace_of(request)
    if campaign is not None:
        get_for_workspace(Campaign, workspace, pk=campaign)
    return page_of(queries.outbox_of(workspace, campaign, status or ""), page)
