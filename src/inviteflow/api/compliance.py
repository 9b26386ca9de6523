"""/api/v1 compliance: posts published without the invite link, and their remedies. Thin:
parse, call queries and remedies, shape the answer.

- `GET /campaigns/{id}/compliance`: counts (compliant / at_risk / remediated / removed),
  per creator, posts at risk oldest first (time left before TikTok's usual takedown),
  the last scan and the audit trail of remedies.
- `POST /campaigns/{id}/compliance/scan`: scan the roster's new posts now (202).
- `POST /posts/{id}/campaign-code` → `{"campaign_code": ...}`: the creator's campaign code,
  emailed once for this post.
- `POST /posts/{id}/link-request` `{"action": "link" | "remind" | "revoke"}`: a TikTok
  linking request on the post (once per video), a bounded reminder, or revoke.

A remedy makes at most one TikTok write, waiting at most a second for a call slot. When an
earlier try's answer was lost, the lookup runs in the background and the answer is 202
`checking`: ask again in a minute.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status

from inviteflow.accounts.access import get_for_workspace
from inviteflow.api.auth import key_of, workspace_of
from inviteflow.api.errors import ApiError, Error
from inviteflow.api.fields import Id
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import codes, linking, queries, services
from inviteflow.compliance.models import ComplianceScan, LinkRequest
from inviteflow.compliance.remedies import Checking, Refused, tiktok_for
from inviteflow.posts.models import Post

router = Router(tags=["compliance"])
LIST_MAX = 500
LINK_ACTIONS = {
    "link": linking.send_link_request,
    "remind": linking.remind_link_request,
    "revoke": linking.revoke_link_request,
}
# The HTTP status of each refusal (the domain names the reason, the API its status).
REFUSAL_STATUS = {
    "tiktok_refused": 502,
    "tiktok_unsure": 503,
    "tiktok_unavailable": 503,
    "tiktok_busy": 503,
}  # every other refusal is a conflict with the post's state: 409
REFUSALS = {status: Error for status in (409, 502, 503)}  # documented on each remedy


class CountsOut(Schema):
    compliant: int
    at_risk: int
    remediated: int
    removed: int


class CreatorComplianceOut(CountsOut):
    creator_id: Id
    handle: str
    name: str


class LinkRequestOut(Schema):
    post_id: Id
    status: str  # pending | in_review | approved | rejected | revoked
    link_request_id: str
    number_of_requests: int
    reminders_sent: int
    requested_at: datetime | None
    last_reminded_at: datetime | None
    decided_at: datetime | None


class AtRiskOut(Schema):
    post_id: Id
    video_id: str
    creator_id: Id
    handle: str
    caption: str
    published_at: datetime | None
    found_at: datetime | None
    markers: list[str]
    takedown_at: datetime | None
    hours_left: float | None
    link_request: LinkRequestOut | None


class ScanOut(Schema):
    requested_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    queued: bool = False
    running: bool = False
    creators_scanned: int = 0
    videos_seen: int = 0
    calls: int = 0
    found: int = 0
    last_error: str = ""


class RemedyOut(Schema):
    post_id: Id
    creator_id: Id
    kind: str  # campaign_code | link_request | reminder | revoke
    detail: str
    by: str
    email_status: str
    created_at: datetime


class ComplianceOut(Schema):
    campaign_id: Id
    counts: CountsOut
    creators: list[CreatorComplianceOut]
    at_risk: list[AtRiskOut]
    scan: ScanOut
    remedies: list[RemedyOut]


class CampaignCodeOut(Schema):
    campaign_code: str
    post_id: Id
    creator_id: Id
    email_status: str


class CheckingOut(Schema):
    code: Literal["checking"] = "checking"
    message: str


class LinkRequestIn(Schema):
    action: Literal["link", "remind", "revoke"] = "link"


def _campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return get_for_workspace(Campaign, workspace_of(request), pk=campaign_id)


def _post(request: HttpRequest, post_id: Id) -> Post:
    posts = Post.objects.select_related("campaign", "creator", "workspace")
    return get_for_workspace(posts, workspace_of(request), pk=post_id)


def _actor(request: HttpRequest) -> services.Actor:
    key = key_of(request)
    return services.Actor(None, f"API key “{key.name}”")


@router.get(
    "/campaigns/{campaign_id}/compliance",
    response=ComplianceOut,
    summary="Posts published without the invite link, and their remedies",
)
def campaign_compliance(request: HttpRequest, campaign_id: Id):
    """`at_risk` is oldest first (the nearest takedown first), at most 500; `creators` lists
    every creator with posts on the campaign, those with posts at risk first; `remedies`
    is the audit trail, newest first (at most 500)."""
    campaign = _campaign(request, campaign_id)
    return {
        "campaign_id": campaign.pk,
        "counts": queries.counts(campaign),
        "creators": [vars(row) for row in queries.by_creator(campaign)],
        "at_risk": [_at_risk(post) for post in queries.at_risk(campaign)[:LIST_MAX]],
        "scan": _scan(queries.scan_of(campaign)),
        "remedies": [_remedy(r) for r in queries.remedies_of(campaign)[:LIST_MAX]],
    }


def _at_risk(post: Post) -> dict[str, object]:
    finding = getattr(post, "finding", None)  # reverse one-to-ones: None when missing
    request = getattr(post, "link_request", None)
    return {
        "post_id": post.pk,
        "video_id": post.video_id,
        "creator_id": post.creator_id,
        "handle": post.creator.handle,
        "caption": post.caption,
        "published_at": post.published_at,
        "found_at": finding and finding.found_at,
        "markers": finding.markers if finding else [],
        "takedown_at": finding and finding.takedown_at,
        "hours_left": queries.hours_left(finding.takedown_at) if finding else None,
        "link_request": _link_request(request) if request else None,
    }


def _link_request(request: LinkRequest) -> dict[str, object]:
    fields = (
        "status",
        "link_request_id",
        "number_of_requests",
        "reminders_sent",
        "requested_at",
        "last_reminded_at",
        "decided_at",
    )
    return {"post_id": request.post_id, **{name: getattr(request, name) for name in fields}}


def _scan(state: ComplianceScan | None) -> dict[str, object]:
    if state is None:
        return {}
    fields = (
        "requested_at",
        "started_at",
        "finished_at",
        "queued",
        "running",
        "creators_scanned",
        "videos_seen",
        "calls",
        "found",
        "last_error",
    )
    return {name: getattr(state, name) for name in fields}


def _remedy(remedy) -> dict[str, object]:  # noqa: ANN001 - a Remedy
    return {
        "post_id": remedy.post_id,
        "creator_id": remedy.creator_id,
        "kind": remedy.kind,
        "detail": remedy.detail,
        "by": remedy.actor_label,
        "email_status": remedy.email_status,
        "created_at": remedy.created_at,
    }


@router.post(
    "/campaigns/{campaign_id}/compliance/scan",
    response={202: ScanOut},
    summary="Scan the roster's new public posts now",
)
def scan_campaign(request: HttpRequest, campaign_id: Id):
    """Reads each roster creator's posts published since the last scan, flags unlinked
    campaign content as at risk, and polls remedies. Runs in the background."""
    return Status(202, _scan(services.request_scan(_campaign(request, campaign_id))))


@router.post(
    "/posts/{post_id}/campaign-code",
    response={200: CampaignCodeOut, 202: CheckingOut, **REFUSALS},
    summary="Send the creator a campaign code for a post at risk",
)
def campaign_code(request: HttpRequest, post_id: Id):
    """Obtains the campaign's code from TikTok (created once per campaign, reused while
    TikTok allows) and emails it with the "Campaign code" template, once per post.
    409 `not_at_risk` when the post needs no fix; 503 when TikTok cannot be reached or its
    rate limit is in use (try again: nothing is created twice); 202 `checking` while an
    earlier try's lost answer is looked up."""
    post = _post(request, post_id)
    code = _remedy_call(codes.send_campaign_code, post, request)
    if isinstance(code, Status):
        return code
    remedy = post.remedies.filter(kind="campaign_code").first()
    return {
        "campaign_code": code.code,
        "post_id": post.pk,
        "creator_id": post.creator_id,
        "email_status": remedy.email_status if remedy else "",
    }


@router.post(
    "/posts/{post_id}/link-request",
    response={200: LinkRequestOut, 202: CheckingOut, **REFUSALS},
    summary="Send, remind or revoke a TikTok linking request for a post at risk",
)
def link_request(request: HttpRequest, post_id: Id, payload: LinkRequestIn = Body(None)):  # noqa: B008
    """`link` (default) asks the creator in TikTok to link the post (once per video);
    `remind` sends the request again (bounded: COMPLIANCE_LINK_REMINDERS_MAX, at most every
    COMPLIANCE_LINK_REMINDER_HOURS); `revoke` withdraws one still in review."""
    action = LINK_ACTIONS[(payload or LinkRequestIn()).action]
    sent = _remedy_call(action, _post(request, post_id), request)
    return sent if isinstance(sent, Status) else _link_request(sent)


def _remedy_call(action, post: Post, request: HttpRequest):  # noqa: ANN001, ANN202
    """The remedy's result; 202 while a lookup runs; a refusal as an API error."""
    try:
        with tiktok_for(post.workspace) as tiktok:
            return action(post, _actor(request), tiktok)
    except Checking as exc:
        return Status(202, {"code": "checking", "message": exc.message})
    except Refused as exc:
        raise ApiError(REFUSAL_STATUS.get(exc.code, 409), exc.code, exc.message) from exc
