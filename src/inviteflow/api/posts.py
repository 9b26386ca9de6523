"""/api/v1/campaigns/{id}/posts, /missing and /sync: post attribution. Thin: parse, call
queries and services, shape the answer.

- `GET /campaigns/{id}/posts`: every attributed post with its checks; filters `creator`
  (creator id), `link` (invite link id) and `state` (uploaded | published | compliant |
  at_risk | remediated | removed | counted | not_counted | needs_decision | decided).
  `decision_needed` says why a manager must decide whether a post counts (a post that
  arrived through a retired invite link); `count_decision` is their decision, over the checks.
- `GET /campaigns/{id}/missing`: "why is my post missing" for each roster creator who owes
  posts, in roster order; `reasons` is empty until the next sync has asked TikTok.
- `POST /campaigns/{id}/sync`: reconcile with TikTok now (202); `GET` shows how it went.
- `POST /posts/{id}/count-decision` `{"decision": "count" | "dont_count", "reason"}`:
  count a post anyway or not at all, whatever its checks say; kept in the post's history.
"""

from datetime import datetime
from enum import Enum
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from inviteflow.accounts.access import get_for_workspace
from inviteflow.api.auth import key_of, workspace_of
from inviteflow.api.fields import Id
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.api.sync import SyncStateOut, sync_state
from inviteflow.campaigns.models import Campaign
from inviteflow.posts import queries, services
from inviteflow.posts.models import MissingPosts, Post

router = Router(tags=["posts"])

PostState = Enum("PostState", {state: state for state in queries.POST_STATES}, type=str)  # type: ignore[misc]


class CheckOut(Schema):
    result: str  # pass | fail | pending
    reason: str


class PostOut(Schema):
    id: int
    video_id: str
    campaign_id: Id
    creator_id: Id
    invite_link_id: int | None
    linked_via: str  # invite_link | campaign_code | link_request | "" (not linked)
    review_state: str
    compliance: str
    published_at: datetime | None
    caption: str
    hashtags: list[str]
    branded_content_toggle: bool
    counts: bool
    decision_needed: str  # why a manager must decide; "" when nothing waits
    count_decision: str  # count | dont_count | "" (the checks decide)
    checks: dict[str, CheckOut]
    found_by: str
    first_seen_at: datetime


class PostPage(Schema):
    items: list[PostOut]
    count: int


class ReasonOut(Schema):
    code: str
    label: str
    detail: str
    video_id: str = ""


class MissingOut(Schema):
    creator_id: Id
    handle: str
    posts_required: int
    posts_counted: int
    reasons: list[ReasonOut]
    checked_at: datetime | None


class MissingPage(Schema):
    items: list[MissingOut]
    count: int


class CountDecisionIn(Schema):
    decision: Literal["count", "dont_count"]
    reason: str


class PostSyncOut(SyncStateOut):
    videos_seen: int = 0
    posts_added: int = 0


def _campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return get_for_workspace(Campaign, workspace_of(request), pk=campaign_id)


@router.get(
    "/campaigns/{campaign_id}/posts",
    response=PostPage,
    summary="The campaign's posts, with requirement checks",
)
def list_posts(
    request: HttpRequest,
    campaign_id: Id,
    page: Query[PageParams],
    creator: Id | None = None,
    link: Id | None = None,
    state: PostState | None = None,
):  # type: ignore[valid-type]
    """Filters: `creator` (creator id), `link` (invite link id), `state`: a review state
    (uploaded, published), a compliance state (compliant, at_risk, remediated, removed), or
    counted / not_counted, or needs_decision / decided (a manager's count decision).
    `checks` holds in_window, content_type and hashtags, each
    `{result: pass|fail|pending, reason}`; a post counts only when all pass, unless a
    manager decided otherwise (`count_decision`)."""
    campaign = _campaign(request, campaign_id)
    posts = queries.posts_of(campaign, creator, link, state.value if state else "")
    return page_of(posts, page)


@router.get(
    "/campaigns/{campaign_id}/missing",
    response=MissingPage,
    summary="Why posts are missing, for each creator who still owes posts",
)
def list_missing(request: HttpRequest, campaign_id: Id, page: Query[PageParams]):
    """One item per roster creator with fewer counted posts than they owe, in roster order.
    `reasons[].code`, most actionable first: no_link, not_surfaced (published, younger than
    TikTok's ~48 h reporting delay), posted_without_link, outside_window,
    failed_requirements, linked_elsewhere, nothing_published (joined), not_joined. Empty
    until a sync has asked TikTok (`checked_at` null)."""
    campaign = _campaign(request, campaign_id)
    owing = queries.owing(campaign)
    rows = owing[page.offset : page.offset + page.limit]
    found = MissingPosts.objects.filter(
        campaign=campaign, creator_id__in=[row.entry.creator_id for row in rows]
    )
    by_creator = {missing.creator_id: missing for missing in found}
    return {
        "items": [_missing(row, by_creator.get(row.entry.creator_id)) for row in rows],
        "count": len(owing),
    }


def _missing(row: queries.CreatorProgress, missing: MissingPosts | None) -> dict[str, object]:
    return {
        "creator_id": row.entry.creator_id,
        "handle": row.entry.creator.handle,
        "posts_required": row.required,
        "posts_counted": row.counted,
        "reasons": missing.reasons if missing else [],
        "checked_at": missing.checked_at if missing else None,
    }


@router.post(
    "/campaigns/{campaign_id}/sync",
    response={202: PostSyncOut},
    summary="Reconcile the campaign's posts with TikTok now",
)
def sync_campaign(request: HttpRequest, campaign_id: Id):
    """Reads the campaign's linked videos from TikTok, adds posts webhooks missed, re-runs
    the checks and refreshes "why is my post missing". Runs in the background."""
    state = services.request_sync(_campaign(request, campaign_id))
    return Status(202, sync_state(PostSyncOut, state))


@router.get(
    "/campaigns/{campaign_id}/sync",
    response=PostSyncOut,
    summary="The campaign's last reconciliation with TikTok",
)
def sync_status(request: HttpRequest, campaign_id: Id):
    return sync_state(PostSyncOut, queries.sync_state(_campaign(request, campaign_id)))


@router.post(
    "/posts/{post_id}/count-decision",
    response=PostOut,
    summary="Count a post anyway, or not at all, with a reason",
)
def count_decision(request: HttpRequest, post_id: Id, payload: CountDecisionIn):
    """Overrides the requirement checks until the next decision; clears `decision_needed`.
    The reason is required and kept with the key's name in the post's history."""
    post = get_for_workspace(Post, workspace_of(request), pk=post_id)
    by_name = f"API key “{key_of(request).name}”"
    services.decide_count(post, payload.decision, payload.reason, None, by_name)
    post.refresh_from_db()
    return post
