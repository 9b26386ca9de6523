"""Brand linking requests (§6.1-6.2): ask a creator to link an existing public video.

One request per (campaign, video). LINK opens it IN_REVIEW; LINK again while in review is a
reminder (`number_of_requests` + 1, `last_reminded_timestamp` = now, Unix seconds); LINK after a
REJECTED or REVOKE answer reopens it. REVOKE withdraws a request still in review. The creator
answers through `/sandbox/link-requests/{id}/confirm` (APPROVE links the video). A video already
linked to this campaign gets an APPROVE request at once; one linked elsewhere is refused (40002).
"""

from __future__ import annotations

from typing import Any

from tiktok_sandbox.creators import normalize_handle
from tiktok_sandbox.ids import new_id
from tiktok_sandbox.linking import APPROVE, IN_REVIEW, REVOKE, is_removed
from tiktok_sandbox.store import Row

from .campaigns import CAMPAIGN_TYPES, owned_campaign
from .context import ApiContext, ApiError, offset, page_info, param_error

MAX_HANDLE_FILTER = 20


def link(ctx: ApiContext) -> dict[str, Any]:
    """POST /tto/tcm/campaign/link/ {tto_tcm_account_id, campaign_id, video_id, action}."""
    account = ctx.account()
    campaign = owned_campaign(ctx, account, ctx.text("campaign_id", required=True))
    video_id = ctx.text("video_id", required=True)
    action = ctx.choice("action", ("LINK", "REVOKE"), required=True)
    request = ctx.store.link_request_for(campaign["campaign_id"], video_id)
    if action == "REVOKE":
        request = _revoke(ctx, request, video_id)
    else:
        request = _request_link(ctx, campaign, video_id, request)
    return link_view({**request, "campaign_type": campaign["campaign_type"]})


def link_status(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/tcm/campaign/link/status/ — the account's linking requests, filtered."""
    account = ctx.account()
    campaign_ids = ctx.id_filter("campaign_ids")
    handles = [
        normalize_handle(h) for h in ctx.id_list("handle_names", max_items=MAX_HANDLE_FILTER)
    ]
    campaign_type = ctx.choice("campaign_type", CAMPAIGN_TYPES)
    page, size = ctx.page(default_size=10, max_size=ctx.config.max_link_status_page_size)
    rows, total = ctx.store.link_requests_page(
        account["account_id"], campaign_ids, handles, campaign_type, offset(page, size), size
    )
    return {
        "video_infos": [link_view(row) for row in rows],
        "page_info": page_info(page, size, total),
    }


def link_view(request: Row) -> dict[str, Any]:
    return {
        "video_id": request["video_id"],
        "status": request["status"],
        "campaign_id": request["campaign_id"],
        "last_reminded_timestamp": request["last_reminded_ms"] // 1000,
        "number_of_requests": request["number_of_requests"],
        "campaign_type": request["campaign_type"],
        "link_request_id": request["link_request_id"],
    }


def _request_link(ctx: ApiContext, campaign: Row, video_id: str, request: Row | None) -> Row:
    video = ctx.store.video(video_id)
    if not video or is_removed(video, ctx.now_ms):
        raise ApiError(40007, f"video_id: video {video_id} does not exist or is not public.")
    linked_here = video["campaign_id"] == campaign["campaign_id"]
    if video["campaign_id"] and not linked_here:
        raise param_error("video_id", "the video is already linked to another campaign")
    if request and request["status"] == APPROVE:
        return request
    if request:
        changes = {
            "status": IN_REVIEW,
            "number_of_requests": request["number_of_requests"] + 1,
            "last_reminded_ms": ctx.now_ms,
        }
        ctx.store.update_link_request(request["link_request_id"], changes)
        return {**request, **changes}
    request = {
        "link_request_id": new_id(ctx.now_ms),
        "campaign_id": campaign["campaign_id"],
        "video_id": video_id,
        "status": APPROVE if linked_here else IN_REVIEW,
        "number_of_requests": 1,
        "last_reminded_ms": ctx.now_ms,
        "create_ms": ctx.now_ms,
    }
    ctx.store.insert_link_request(request)
    return request


def _revoke(ctx: ApiContext, request: Row | None, video_id: str) -> Row:
    if not request:
        raise ApiError(40007, f"video_id: no linking request for video {video_id}.")
    if request["status"] != IN_REVIEW:
        raise param_error(
            "action", f"only a request IN_REVIEW can be revoked (it is {request['status']})"
        )
    ctx.store.update_link_request(request["link_request_id"], {"status": REVOKE})
    return {**request, "status": REVOKE}
