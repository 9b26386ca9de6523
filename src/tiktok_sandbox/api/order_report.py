"""`GET /tcm/report/get/v2/`: the legacy TCM report of campaign-code orders (S1
`model/tcm/report/*.go`).

One insight per (order, linked video): `dimensions` name the order (`order_type` is always
`API_ORDER_V2`, "created through /tcm/order/create/v2/") and the video; `metrics` hold the requested
subset (default: S1's twelve) of exactly what `/tto/tcm/report/` gives for that video at that time:
same surfacing delay, tracking window and figures. There is no `Country-Code` here, so the
audience country mix is led by the account's country. `order_ids` is the only filter S1 shows;
orders of other accounts are ignored, as S1 documents. `need_daily_stats` (with both dates) adds
`daily_stats`. Paginated with page/page_size (S1: default 10; the maximum, 20, is the sandbox's
reading, matching `/tcm/order/get/v2/`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tiktok_sandbox import metrics
from tiktok_sandbox.clock import format_time
from tiktok_sandbox.linking import surfaced_until
from tiktok_sandbox.store import Row

from .context import ApiContext, offset, page_info, param_error
from .orders import ORDER_QUOTA, cached_campaign, legacy_account
from .report import date_range, tracking_window_ms, video_entry

ORDER_TYPE = "API_ORDER_V2"
MAX_ORDER_IDS = ORDER_QUOTA  # S1 documents 200 order_ids on /tcm/order/get/v2/; none here
DEFAULT_METRICS = (
    "engagement_count",
    "engagement_rate",
    "video_views",
    "likes",
    "shares",
    "comments",
    "reach",
    "total_play_time",
    "average_view_time",
    "two_seconds_views",
    "six_seconds_views",
    "video_completion_rate",
)
# The metrics the sandbox computes (a video's report entry) plus S1's identity fields; S1-only
# metrics (benchmarks, lifetime distributions, ads, anchor metrics) are not served.
SERVED_METRICS = frozenset(
    {"video_info", "creator_info", "video_id", "anchor_id", *metrics.report_metrics("0", 0, "US")}
)


def report(ctx: ApiContext) -> dict[str, Any]:
    """GET /tcm/report/get/v2/?tcm_account_id&order_ids&metrics&need_daily_stats&...&page."""
    account = legacy_account(ctx)
    order_ids = ctx.id_filter("order_ids", required=True, max_ids=MAX_ORDER_IDS)
    wanted = _metric_names(ctx)
    days = _daily_range(ctx)
    page, size = ctx.page(default_size=10, max_size=20)
    window_ms = tracking_window_ms(ctx)
    rows, total = ctx.store.order_videos(
        account["account_id"],
        order_ids,
        ctx.now_ms - window_ms,
        surfaced_until(ctx.rt),
        offset(page, size),
        size,
    )
    campaigns: dict[str, Row] = {}
    insights = []
    for video in rows:
        campaign = cached_campaign(ctx, campaigns, video["campaign_id"])
        entry = video_entry(ctx, campaign, video, account["country"], window_ms, days)
        insights.append(
            {"dimensions": _dimensions(account, video), "metrics": _chosen(entry, wanted)}
        )
    return {"insights": insights, "page_info": page_info(page, size, total)}


def _daily_range(ctx: ApiContext) -> tuple[date, date] | None:
    """The days of `daily_stats`: only with `need_daily_stats`, which needs both dates (S1)."""
    days = date_range(ctx)
    if not ctx.boolean("need_daily_stats"):
        return None
    if days is None:
        raise param_error("start_date", "start_date and end_date are required with daily stats")
    return days


def _chosen(entry: dict[str, Any], wanted: frozenset[str]) -> dict[str, Any]:
    """The requested metrics of a video's report entry, plus its `daily_stats` if it has them."""
    chosen = {name: value for name, value in entry.items() if name in wanted}
    if "video_id" in wanted:
        chosen["video_id"] = entry["video_info"]["video_id"]
    if "daily_stats" in entry:
        chosen["daily_stats"] = entry["daily_stats"]
    return chosen


def _metric_names(ctx: ApiContext) -> frozenset[str]:
    names = ctx.id_list("metrics") or list(DEFAULT_METRICS)
    unknown = sorted(set(names) - SERVED_METRICS)
    if unknown:
        raise param_error("metrics", f"not supported: {', '.join(unknown)}")
    return frozenset(names)


def _dimensions(account: Row, video: Row) -> dict[str, str]:
    return {
        "tcm_account_id": account["account_id"],
        "order_id": video["order_id"],
        "order_type": ORDER_TYPE,
        "video_id": video["video_id"],
        "handle_name": video["handle"],
        "video_first_release_time": format_time(video["create_ms"])[:10],
    }
