"""Legacy TCM "workflow 2.0" orders (§6.4): the only API home of campaign codes.

`/tcm/order/create/v2/` mints a campaign code (8 upper-case letters/digits, no 0/O/1/I) bound to an
invite link, or adds orders to an existing code. In the sandbox each code is backed by an ordinary
campaign object (channel STANDARD_CAMPAIGN) of the same account, with the same `invite_link`; it is
listed by `/tto/tcm/campaign/` only with `code_objects_in_tto_list`, and its metrics come from
`/tcm/report/get/v2/` (order_report.py).
An order is one creator of that object; `video_number` (1-10, default 10) is the per-creator post
cap, `remaining_orders` counts down from 200 as creators accept (join or apply the code).
`/tcm/campaign/code/create/` {tcm_account_id, campaign_id} binds a code to an existing TTO campaign
object instead, so code-linked posts land in the creator's own campaign object.

These endpoints take a legacy `tcm_account_id`. Whether TikTok accepts a TTO account id there is
unknown (§13), so `legacy_orders_accept_tto_account` decides (off: 40001), and
`legacy_orders_offline` retires them all (41001 INTERFACE_OFFLINE).
"""

from __future__ import annotations

from typing import Any

from tiktok_sandbox.creators import can_be_invited, normalize_handle
from tiktok_sandbox.ids import new_campaign_code, new_id
from tiktok_sandbox.linking import invite_token_of
from tiktok_sandbox.store import Row

from .campaigns import AUTH_DAYS, MAX_HANDLES, ORDER_CHANNEL, new_campaign, owned_campaign
from .context import (
    INTERFACE_OFFLINE,
    PERMISSION_ERROR,
    ApiContext,
    ApiError,
    offset,
    page_info,
    param_error,
)

ORDER_QUOTA = 200
QUERY_TYPES = ("ORDER_ID", "CAMPAIGN_CODE", "INVITE_LINK")
QUOTA_FIELDS = ("current_video_count", "per_creator_video_limit", "total_video_limit")
ORDER_FIELDS = (
    "order_id",
    "handle_name",
    "campaign_code",
    "invite_link",
    "video_ids",
    *QUOTA_FIELDS,
)


def create_order(ctx: ApiContext) -> dict[str, Any]:
    """POST /tcm/order/create/v2/."""
    account = legacy_account(ctx)
    handles = ctx.id_list("handle_names", max_items=MAX_HANDLES)
    brand_name = ctx.text("brand_name", max_len=60)
    description = ctx.text("description", max_len=60)
    ctx.choice("order_source", ("MSP", "OTHER"))
    video_number, days = _deliverables(ctx)
    code = ctx.text("campaign_code")
    if code:
        campaign = _campaign_for_code(ctx, account, code, brand_name)
    else:
        campaign = new_campaign(
            ctx,
            account,
            campaign_name=description or brand_name or "Campaign code order",
            campaign_description=description,
            brand_name=brand_name,
            channel_type=ORDER_CHANNEL,
            auth_days=days,
            posts_per_creator=video_number,
            campaign_code=_unused_code(ctx),
        )
        ctx.store.insert_campaign(campaign)
    accepted = [normalize_handle(h) for h in handles if can_be_invited(h, ctx.config)]
    for handle in accepted:
        ctx.store.save_campaign_creator(
            campaign["campaign_id"], handle, ctx.now_ms, True, order_id=new_id(ctx.now_ms)
        )
    orders = ctx.store.campaign_orders(campaign["campaign_id"], accepted)
    return {
        "campaign_code": campaign["campaign_code"],
        "invite_link": campaign["invite_link"],
        "remaining_orders": ORDER_QUOTA - ctx.store.count_joined(campaign["campaign_id"]),
        "orders": [_order_view(ctx, campaign, order, ORDER_FIELDS) for order in orders],
    }


def get_orders(ctx: ApiContext) -> dict[str, Any]:
    """GET /tcm/order/get/v2/?tcm_account_id&query_type&...&fields&page&page_size."""
    account = legacy_account(ctx)
    query_type = ctx.choice("query_type", QUERY_TYPES, required=True)
    fields = ctx.id_list("fields") or list(ORDER_FIELDS)
    if not set(fields) <= set(ORDER_FIELDS):
        raise param_error("fields", f"allowed values are {', '.join(ORDER_FIELDS)}")
    page, size = ctx.page(default_size=10, max_size=20)
    orders = _query_orders(ctx, account, query_type)
    campaigns: dict[str, Row] = {}
    chosen = orders[offset(page, size) : offset(page, size) + size]
    views = [
        _order_view(ctx, cached_campaign(ctx, campaigns, o["campaign_id"]), o, fields)
        for o in chosen
    ]
    return {"orders": views, "page_info": page_info(page, size, len(orders))}


def create_code(ctx: ApiContext) -> dict[str, Any]:
    """POST /tcm/campaign/code/create/ {tcm_account_id, campaign_id}: a code for that object."""
    account = legacy_account(ctx)
    campaign = owned_campaign(ctx, account, ctx.text("campaign_id", required=True))
    code = campaign["campaign_code"]
    if not code:
        code = _unused_code(ctx)
        ctx.store.update_campaign(campaign["campaign_id"], {"campaign_code": code})
    return {"campaign_id": campaign["campaign_id"], "campaign_code": code}


def legacy_account(ctx: ApiContext) -> Row:
    """The `tcm_account_id` of a legacy TCM call, if the knobs let a TTO account through."""
    if ctx.config.legacy_orders_offline:
        raise ApiError(INTERFACE_OFFLINE, "This interface is offline.")
    account = ctx.account("tcm_account_id")
    if not ctx.config.legacy_orders_accept_tto_account:
        raise ApiError(
            PERMISSION_ERROR,
            f"tcm_account_id: {account['account_id']} is a TTO Creator Marketplace account, "
            "not a TCM account; no permission for this legacy interface.",
        )
    return account


def _query_orders(ctx: ApiContext, account: Row, query_type: str) -> list[Row]:
    if query_type == "ORDER_ID":
        order_ids = ctx.id_list("order_ids", required=True, max_items=ORDER_QUOTA)
        return ctx.store.orders_by_ids(account["account_id"], order_ids)
    if query_type == "CAMPAIGN_CODE":
        campaign = _campaign_for_code(ctx, account, ctx.text("campaign_code", required=True))
    else:
        campaign = _campaign_for_link(ctx, account, ctx.text("invite_link", required=True))
    return ctx.store.campaign_orders(campaign["campaign_id"])


def _campaign_for_link(ctx: ApiContext, account: Row, link: str) -> Row:
    token = invite_token_of(link)
    campaign = ctx.store.campaign_by_invite_token(token) if token else None
    if not campaign or campaign["account_id"] != account["account_id"]:
        raise ApiError(40007, f"invite_link: {link} does not exist.")
    return campaign


def _order_view(
    ctx: ApiContext, campaign: Row, order: Row, fields: tuple[str, ...] | list[str]
) -> dict[str, Any]:
    video_ids = ctx.store.campaign_video_ids(campaign["campaign_id"], ctx.now_ms, order["handle"])
    limit = campaign["posts_per_creator"]
    values = {
        "order_id": order["order_id"],
        "handle_name": order["handle"],
        "campaign_code": campaign["campaign_code"],
        "invite_link": campaign["invite_link"],
        "video_ids": video_ids,
        "current_video_count": len(video_ids),
        "per_creator_video_limit": limit,
        "total_video_limit": limit * ORDER_QUOTA,
    }
    view = {name: values[name] for name in fields if name not in QUOTA_FIELDS}
    quota = {name: values[name] for name in fields if name in QUOTA_FIELDS}
    return {**view, "quota": quota} if quota else view


def _campaign_for_code(
    ctx: ApiContext, account: Row, code: str, brand_name: str | None = None
) -> Row:
    campaign = ctx.store.campaign_by_code(code.strip().upper())
    if not campaign or campaign["account_id"] != account["account_id"]:
        raise ApiError(40007, f"campaign_code: {code} does not exist.")
    if brand_name and campaign["brand_name"] and brand_name != campaign["brand_name"]:
        raise param_error("campaign_code", "belongs to a different brand_name")
    return campaign


def cached_campaign(ctx: ApiContext, cache: dict[str, Row], campaign_id: str) -> Row:
    if campaign_id not in cache:
        campaign = ctx.store.campaign(campaign_id)
        assert campaign
        cache[campaign_id] = campaign
    return cache[campaign_id]


def _deliverables(ctx: ApiContext) -> tuple[int, int]:
    """(video_number, default authorisation days); `deliverables` overrides `video_number`."""
    days = ctx.integer("default_spark_ads_requested_authorization_days", 30, 0, 365)
    if days not in AUTH_DAYS:
        raise param_error(
            "default_spark_ads_requested_authorization_days", "must be one of 7, 30, 60, 365"
        )
    deliverables = ctx.params.get("deliverables")
    if deliverables is None:
        return ctx.integer("video_number", 10, 1, 10), days
    if (
        not isinstance(deliverables, list)
        or not 1 <= len(deliverables) <= 10
        or not all(
            isinstance(d, dict)
            and isinstance(d.get("deliverable_name"), str)
            and 0 < len(d["deliverable_name"]) <= 60
            for d in deliverables
        )
    ):
        raise param_error(
            "deliverables",
            "must be 1-10 objects, each with a deliverable_name of at most 60 characters",
        )
    return len(deliverables), days


def _unused_code(ctx: ApiContext) -> str:
    while ctx.store.campaign_by_code(code := new_campaign_code()):
        pass
    return code
