"""TTO campaign objects (§5): create (or add creators), update, list.

Each campaign object gets exactly one invite link on the sandbox host (`{base}/t/<opaque>/`).
Invited creators are kept per object; handles that are INVALID (and NOT_IN, if the
`fail_not_in_handles` knob says so) are not invited and come back in `failed_handle_names`, exactly
as the caller spelled them. Reads follow the live behaviour the contract records: empty fields are
omitted, `handle_names` is not returned (knob `list_includes_handle_names`), and `video_ids` lists
only linked videos that have *surfaced* (older than `surface_delay_hours`).

Knobs for facts the contract leaves open (§13): `invite_link_delay_s` hides the invite link until
the object is that old (S8 saw objects without one), `ascii_names` / `max_name_length` decide what
is kept of a name, and `code_objects_in_tto_list` whether objects behind legacy campaign codes are
listed here at all.
"""

from __future__ import annotations

from typing import Any

from tiktok_sandbox.clock import format_time
from tiktok_sandbox.creators import can_be_invited, normalize_handle
from tiktok_sandbox.ids import new_id, new_invite_token
from tiktok_sandbox.linking import surfaced_until
from tiktok_sandbox.store import Row

from .context import ApiContext, ApiError, compact, offset, page_info, param_error

CAMPAIGN_TYPES = ("CAMPAIGN", "BRAND_LINK")
AUTH_DAYS = (7, 30, 60, 365)
MAX_HANDLES = 100
API_CHANNEL = "API_LITE_CAMPAIGN"
ORDER_CHANNEL = "STANDARD_CAMPAIGN"  # objects created by the legacy /tcm/order/create/v2/


def create(ctx: ApiContext) -> dict[str, Any]:
    """POST /tto/tcm/campaign/create/ — with `campaign_id`, adds `handle_names` to it."""
    account = ctx.account()
    if ctx.text("campaign_id"):
        return _add_creators(ctx, account)
    campaign_type = ctx.choice("campaign_type", CAMPAIGN_TYPES, default="CAMPAIGN")
    handles = ctx.id_list(
        "handle_names", required=campaign_type == "CAMPAIGN", max_items=MAX_HANDLES
    )
    campaign = new_campaign(ctx, account, campaign_type=campaign_type, **_create_fields(ctx))
    ctx.store.insert_campaign(campaign)
    failed = invite(ctx, campaign, handles)
    return write_view(ctx, campaign, failed)


def update(ctx: ApiContext) -> dict[str, Any]:
    """POST /tto/tcm/campaign/update/ — replaces handle_names / advertiser_ids when given."""
    account = ctx.account()
    campaign = owned_campaign(ctx, account, ctx.text("campaign_id", required=True))
    if ctx.choice("campaign_type", CAMPAIGN_TYPES, required=True) != campaign["campaign_type"]:
        raise param_error("campaign_type", f"campaign is {campaign['campaign_type']}")
    changes: dict[str, Any] = {"update_ms": ctx.now_ms}
    if "advertiser_ids" in ctx.params:
        changes["advertiser_ids"] = ctx.id_list("advertiser_ids")
    if "send_notification" in ctx.params:
        changes["send_notification"] = int(ctx.boolean("send_notification"))
    failed: list[str] = []
    if "handle_names" in ctx.params:
        handles = ctx.id_list("handle_names", max_items=MAX_HANDLES)
        failed = invite(ctx, campaign, handles)
        kept = [normalize_handle(h) for h in handles if h not in failed]
        ctx.store.uninvite_except(campaign["campaign_id"], kept)
    ctx.store.update_campaign(campaign["campaign_id"], changes)
    return write_view(ctx, {**campaign, **changes}, failed)


def list_campaigns(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/tcm/campaign/ — page_size at most 5; objects behind legacy campaign codes are
    left out unless `code_objects_in_tto_list` (codes appear in no /tto/ schema, §13)."""
    account = ctx.account()
    campaign_ids = ctx.id_filter("campaign_ids")
    campaign_type = ctx.choice("campaign_type", CAMPAIGN_TYPES)
    page, size = ctx.page(default_size=5, max_size=5)
    hidden_channel = None if ctx.config.code_objects_in_tto_list else ORDER_CHANNEL
    rows, total = ctx.store.campaigns_page(
        account["account_id"],
        campaign_ids,
        campaign_type,
        hidden_channel,
        offset(page, size),
        size,
        ctx.config.campaign_list_order,
    )
    return {
        "campaigns": [read_view(ctx, row) for row in rows],
        "page_info": page_info(page, size, total),
    }


def new_campaign(ctx: ApiContext, account: Row, **fields: Any) -> Row:
    """A campaign object row with its own invite link; `fields` override the defaults."""
    token = new_invite_token()
    campaign = {
        "campaign_id": new_id(ctx.now_ms),
        "account_id": account["account_id"],
        "campaign_type": "CAMPAIGN",
        "channel_type": API_CHANNEL,
        "campaign_name": "",
        "campaign_description": None,
        "brand_name": None,
        "brand_profile_id": None,
        "anchor_id": None,
        "advertiser_ids": [],
        "auth_days": 30,
        "business_account_handle": None,
        "send_notification": 0,
        "country_codes": [account["country"]],
        "invite_token": token,
        "invite_link": f"{ctx.base_url}/t/{token}/",
        "posts_per_creator": ctx.config.posts_per_link,
        "campaign_code": None,
        "create_ms": ctx.now_ms,
        "update_ms": ctx.now_ms,
    }
    campaign.update(fields)
    return campaign


def owned_campaign(ctx: ApiContext, account: Row, campaign_id: str) -> Row:
    campaign = ctx.store.campaign(campaign_id)
    if not campaign or campaign["account_id"] != account["account_id"]:
        raise ApiError(40007, f"campaign_id: campaign {campaign_id} does not exist.")
    return campaign


def invite(ctx: ApiContext, campaign: Row, handles: list[str]) -> list[str]:
    """Invite the usable handles; returns the others as given (`failed_handle_names`)."""
    failed = []
    for raw in handles:
        if can_be_invited(raw, ctx.config):
            ctx.store.save_campaign_creator(
                campaign["campaign_id"], normalize_handle(raw), ctx.now_ms, invited=True
            )
        else:
            failed.append(raw)
    return failed


def write_view(ctx: ApiContext, campaign: Row, failed: list[str]) -> dict[str, Any]:
    """The object returned by create/update: full, with handle_names and failed_handle_names."""
    invited = ctx.store.campaign_creators(campaign["campaign_id"], invited_only=True)
    return {
        **_base_view(ctx, campaign),
        "handle_names": [m["handle"] for m in invited],
        "failed_handle_names": failed,
    }


def read_view(ctx: ApiContext, campaign: Row) -> dict[str, Any]:
    view = _base_view(ctx, campaign)
    surfaced = surfaced_until(ctx.rt)
    view["video_ids"] = ctx.store.campaign_video_ids(campaign["campaign_id"], surfaced)
    if ctx.config.list_includes_handle_names:
        invited = ctx.store.campaign_creators(campaign["campaign_id"], invited_only=True)
        view["handle_names"] = [m["handle"] for m in invited]
    return compact(view)


def kept_name(ctx: ApiContext, name: str) -> str:
    """What is stored (and echoed) of a campaign name: see `kept_text`; then at most
    `max_name_length` characters (0 = no limit)."""
    kept = kept_text(ctx, name)
    if not kept:
        raise param_error("campaign_name", "must contain ASCII characters")
    most = ctx.config.max_name_length
    return kept[:most].rstrip() if most else kept


def kept_text(ctx: ApiContext, text: str) -> str:
    """With `ascii_names`, non-ASCII characters are dropped (emoji, accents, "·")."""
    if ctx.config.ascii_names:
        return text.encode("ascii", "ignore").decode().strip()
    return text


def invite_link_shown(ctx: ApiContext, campaign: Row) -> bool:
    """The link exists from creation, but is only returned `invite_link_delay_s` later."""
    return ctx.now_ms - campaign["create_ms"] >= ctx.config.invite_link_delay_s * 1000


def _base_view(ctx: ApiContext, campaign: Row) -> dict[str, Any]:
    handle = campaign["business_account_handle"]
    link = campaign["invite_link"] if invite_link_shown(ctx, campaign) else None
    return compact(
        {
            "campaign_id": campaign["campaign_id"],
            "campaign_type": campaign["campaign_type"],
            "campaign_channel_type": campaign["channel_type"],
            "brand_profile_id": campaign["brand_profile_id"],
            "brand_name": campaign["brand_name"],
            "campaign_name": campaign["campaign_name"],
            "campaign_description": campaign["campaign_description"],
            "anchor_id": campaign["anchor_id"],
            "advertiser_ids": campaign["advertiser_ids"],
            "spark_ads_requested_authorization_days": campaign["auth_days"],
            "invite_link": link,
            "create_time": format_time(campaign["create_ms"]),
            "update_time": format_time(campaign["update_ms"]),
            "country_codes": campaign["country_codes"],
            "dm_info": {"business_account_handle": handle, "dm_allowed": True} if handle else None,
        }
    )


def _add_creators(ctx: ApiContext, account: Row) -> dict[str, Any]:
    campaign = owned_campaign(ctx, account, ctx.text("campaign_id"))
    if ctx.config.require_campaign_name_on_add:  # S3 marks campaign_name required, always
        ctx.text("campaign_name", required=True, max_len=512)
    handles = ctx.id_list("handle_names", required=True, max_items=MAX_HANDLES)
    failed = invite(ctx, campaign, handles)
    ctx.store.update_campaign(campaign["campaign_id"], {"update_ms": ctx.now_ms})
    return write_view(ctx, {**campaign, "update_ms": ctx.now_ms}, failed)


def _create_fields(ctx: ApiContext) -> dict[str, Any]:
    days = ctx.integer("default_spark_ads_requested_authorization_days", 30, 0, 365)
    if days not in AUTH_DAYS:
        raise param_error(
            "default_spark_ads_requested_authorization_days", "must be one of 7, 30, 60, 365"
        )
    description = ctx.text("campaign_description", max_len=2000)
    return {
        "campaign_name": kept_name(ctx, ctx.text("campaign_name", required=True, max_len=512)),
        "campaign_description": kept_text(ctx, description or "") or None,
        "brand_name": ctx.text("brand_name", max_len=60),
        "brand_profile_id": ctx.text("brand_profile_id"),
        "anchor_id": ctx.text("anchor_id"),
        "advertiser_ids": ctx.id_list("advertiser_ids"),
        "auth_days": days,
        "business_account_handle": ctx.text("business_account_handle"),
        "send_notification": int(ctx.boolean("send_notification")),
    }
