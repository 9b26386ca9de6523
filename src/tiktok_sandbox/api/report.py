"""`GET /tto/tcm/report/` (§7): per-video insights of one campaign, for one region.

A video is reported when it is linked to the campaign, has surfaced (older than
`surface_delay_hours`) and is still inside the tracking window (`tracking_window_days` after
publishing); after the window it drops out of the report, so a client must keep its own history.
Figures come from metrics.py, frozen at the end of the window. `Country-Code` is a required header
(knob `require_country_code`; when off, the account's country is used). `daily_stats` appear only
when both `start_date` and `end_date` are given (at most 60 days apart).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tiktok_sandbox import metrics
from tiktok_sandbox.clock import DAY_MS, format_time
from tiktok_sandbox.creators import display_name
from tiktok_sandbox.linking import surfaced_until
from tiktok_sandbox.store import Row

from .campaigns import owned_campaign
from .context import ApiContext, compact, offset, page_info, param_error
from .creators import media_urls

MAX_RANGE_DAYS = 60
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def report(ctx: ApiContext) -> dict[str, Any]:
    account = ctx.account()
    campaign = owned_campaign(ctx, account, ctx.text("campaign_id", required=True))
    country = _country_code(ctx, account)
    days = date_range(ctx)
    page, size = ctx.page(default_size=10, max_size=ctx.config.max_report_page_size)
    window_ms = tracking_window_ms(ctx)
    rows, total = ctx.store.reported_videos(
        campaign["campaign_id"],
        ctx.now_ms - window_ms,
        surfaced_until(ctx.rt),
        offset(page, size),
        size,
    )
    return {
        "tto_tcm_account_id": account["account_id"],
        "campaign_id": campaign["campaign_id"],
        "country_code": country,
        "campaign_type": campaign["campaign_type"],
        "campaign_channel_type": campaign["channel_type"],
        "page_info": page_info(page, size, total),
        "videos": [video_entry(ctx, campaign, row, country, window_ms, days) for row in rows],
    }


def video_entry(
    ctx: ApiContext,
    campaign: Row,
    video: Row,
    country: str,
    window_ms: int,
    days: tuple[date, date] | None,
) -> dict[str, Any]:
    video_id, created = video["video_id"], video["create_ms"]
    tracked_until = created + window_ms
    entry: dict[str, Any] = {
        "video_info": {
            "video_id": video_id,
            "create_time": format_time(created),
            **media_urls(ctx, video_id),
        },
        "creator_info": {
            "display_name": display_name(video["handle"]),
            "handle_name": video["handle"],
        },
        **compact({"anchor_id": campaign["anchor_id"]}),
        **metrics.report_metrics(video_id, min(ctx.now_ms, tracked_until) - created, country),
    }
    if days:
        entry["daily_stats"] = metrics.daily_stats(
            video_id, created, tracked_until, ctx.now_ms, *days
        )
    return entry


def tracking_window_ms(ctx: ApiContext) -> int:
    return int(ctx.config.tracking_window_days * DAY_MS)


def _country_code(ctx: ApiContext, account: Row) -> str:
    code = ctx.request.headers.get("Country-Code", "").strip().upper()
    if not code:
        if ctx.config.require_country_code:
            raise param_error("Country-Code", "header is required")
        return account["country"]
    if not _COUNTRY.match(code):
        raise param_error("Country-Code", "must be an ISO-3166 alpha-2 country code")
    return code


def date_range(ctx: ApiContext) -> tuple[date, date] | None:
    start, end = ctx.day("start_date"), ctx.day("end_date")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise param_error("start_date", "start_date and end_date must be given together")
    if not 0 <= (end - start).days <= MAX_RANGE_DAYS:
        raise param_error("end_date", f"must be 0 to {MAX_RANGE_DAYS} days after start_date")
    return start, end
