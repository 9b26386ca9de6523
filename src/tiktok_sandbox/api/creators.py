"""Creator look-ups with a brand token (§4.1-4.3): onboarding status, public profile, public posts.

The public post list is how a brand (and inviteflow's compliance scan) sees posts that were *not*
published through a link: every live post appears at once (no surfacing delay), newest first, with
`collaboration_status` PAID_PARTNERSHIP when linked (branded-content toggle on) and NONE otherwise;
taken-down posts disappear. Cursor = a millisecond timestamp, "posts created before this".
"""

from __future__ import annotations

from typing import Any

from tiktok_sandbox import metrics
from tiktok_sandbox.clock import format_time
from tiktok_sandbox.creators import (
    INVALID,
    display_name,
    normalize_handle,
    onboarding_status,
    public_profile,
)
from tiktok_sandbox.store import Row

from .context import ApiContext, param_error

MAX_STATUS_HANDLES = 20


def status(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/tcm/creator/status/get/?tto_tcm_account_id&handle_names=[...]."""
    ctx.account()
    handles = ctx.id_list("handle_names", required=True, max_items=MAX_STATUS_HANDLES)
    return {
        "onboarding_status": [
            {"handle_name": handle, "status": onboarding_status(handle, ctx.config)}
            for handle in handles
        ]
    }


def public(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/tcm/creator/public/?tto_tcm_account_id&handle_name."""
    ctx.account()
    handle = _valid_handle(ctx)
    videos = ctx.store.count_public_videos(handle, ctx.now_ms)
    return public_profile(handle, videos, ctx.base_url)


def public_videos(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/tcm/creator/public/video/list/?...&cursor&limit → posts + page_info."""
    ctx.account()
    handle = _valid_handle(ctx)
    video_ids = ctx.id_filter("video_ids")
    cursor = ctx.integer("cursor", 0, 0, 2**63 - 1)
    most = ctx.config.max_video_list_limit
    limit = ctx.integer("limit", min(10, most), 1, most)
    rows = ctx.store.public_videos(handle, ctx.now_ms, cursor, video_ids, limit + 1)
    page = rows[:limit]
    next_cursor = page[-1]["create_ms"] if page else cursor
    return {
        "posts": [post_view(ctx, video) for video in page],
        "page_info": {"has_more": len(rows) > limit, "cursor": next_cursor},
    }


def post_view(ctx: ApiContext, video: Row) -> dict[str, Any]:
    return {
        "video_id": video["video_id"],
        "display_name": display_name(video["handle"]),
        **media_urls(ctx, video["video_id"]),
        "caption": video["caption"],
        **metrics.post_counts(video["video_id"], ctx.now_ms - video["create_ms"]),
        "create_time": format_time(video["create_ms"]),
        "caption_hashtags": video["hashtags"],
        "mentioned_accounts": video["mentions"],
        "collaboration_status": "PAID_PARTNERSHIP" if video["campaign_id"] else "NONE",
    }


def media_urls(ctx: ApiContext, video_id: str) -> dict[str, str]:
    """Served by the sandbox itself (pages.py), so a UI can show them offline."""
    return {
        "thumbnail_url": f"{ctx.base_url}/media/{video_id}.svg",
        "embed_url": f"{ctx.base_url}/media/{video_id}/embed",
    }


def _valid_handle(ctx: ApiContext) -> str:
    raw = ctx.text("handle_name", required=True)
    if onboarding_status(raw, ctx.config) == INVALID:
        raise param_error("handle_name", f"{raw!r} is not a valid TikTok user")
    return normalize_handle(raw)
