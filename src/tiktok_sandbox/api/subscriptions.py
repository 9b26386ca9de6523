"""Webhook subscriptions (§9.1): app credentials in the request, the brand token in the detail.

`subscription_detail` names the account as `tto_tcm_account_id` or, as an older SDK spelled it,
`tto_tmc_account_id`; both are accepted. Reads echo the account id but never the access token.
A subscription whose token is later revoked stays listed but silently stops receiving events.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tiktok_sandbox.clock import format_time
from tiktok_sandbox.ids import new_id
from tiktok_sandbox.store import Row
from tiktok_sandbox.webhooks import TCM_VIDEOS

from .context import ApiContext, ApiError, offset, page_info, param_error

ACCOUNT_KEYS = ("tto_tcm_account_id", "tto_tmc_account_id")


def subscribe(ctx: ApiContext) -> dict[str, Any]:
    """POST /subscription/subscribe/."""
    ctx.app()
    entity = ctx.choice("subscribe_entity", (TCM_VIDEOS,), required=True)
    callback_url = _callback_url(ctx)
    access_token, account_id = _detail(ctx)
    token = ctx.token(access_token)
    if account_id not in token["account_ids"]:
        raise ApiError(40001, f"No permission to access account {account_id} with this token.")
    subscription_id = new_id(ctx.now_ms)
    ctx.store.insert_subscription(
        {
            "subscription_id": subscription_id,
            "app_id": ctx.config.app_id,
            "subscribe_entity": entity,
            "callback_url": callback_url,
            "account_id": account_id,
            "access_token": token["access_token"],
            "create_ms": ctx.now_ms,
        }
    )
    return {"subscription_id": subscription_id}


def get(ctx: ApiContext) -> dict[str, Any]:
    """GET /subscription/get/?app_id&secret&subscribe_entity&page&page_size (1-1000)."""
    ctx.app()
    entity = ctx.choice("subscribe_entity", (TCM_VIDEOS,))
    page, size = ctx.page(default_size=10, max_size=1000)
    rows, total = ctx.store.subscriptions_page(ctx.config.app_id, entity, offset(page, size), size)
    return {
        "subscriptions": [_view(row) for row in rows],
        "page_info": page_info(page, size, total),
    }


def unsubscribe(ctx: ApiContext) -> dict[str, Any]:
    """POST /subscription/unsubscribe/ {app_id, secret, subscription_id}."""
    ctx.app()
    subscription_id = ctx.text("subscription_id", required=True)
    if not ctx.store.subscription(subscription_id):
        raise ApiError(40007, f"subscription_id: {subscription_id} does not exist.")
    ctx.store.delete_subscription(subscription_id)
    return {"subscription_id": subscription_id}


def _callback_url(ctx: ApiContext) -> str:
    url = ctx.text("callback_url", required=True, max_len=2048)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise param_error("callback_url", "must be an absolute http(s) URL")
    return url


def _detail(ctx: ApiContext) -> tuple[str, str]:
    detail = ctx.params.get("subscription_detail")
    if not isinstance(detail, dict):
        raise param_error("subscription_detail", "is required and must be an object")
    account_id = next((detail[k] for k in ACCOUNT_KEYS if detail.get(k)), None)
    access_token = detail.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise param_error("subscription_detail.access_token", "is required")
    if not isinstance(account_id, str | int) or isinstance(account_id, bool):
        raise param_error("subscription_detail.tto_tcm_account_id", "is required")
    return access_token, str(account_id)


def _view(row: Row) -> dict[str, Any]:
    return {
        "subscription_id": row["subscription_id"],
        "subscribe_entity": row["subscribe_entity"],
        "callback_url": row["callback_url"],
        "subscription_detail": {"tto_tcm_account_id": row["account_id"]},
        "create_time": format_time(row["create_ms"]),
    }
