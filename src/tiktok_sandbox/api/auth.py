"""Brand authorisation: auth codes, access tokens and the accounts a token reaches (§3.1).

The consent page (`/portal/auth`, in pages.py) issues an auth code for the accounts the user ticks;
`/oauth2/access_token/` exchanges it once, within an hour, for a token. TTO account tokens do not
expire until revoked; knob `tto_token_expires` makes them last `tto_token_ttl_hours` (then 40102,
and the brand re-authorises: the sandbox has no brand refresh-token flow).
"""

from __future__ import annotations

from typing import Any

from tiktok_sandbox.clock import HOUR_MS
from tiktok_sandbox.ids import new_token
from tiktok_sandbox.runtime import Runtime

from .context import ApiContext, ApiError

SCOPES = [1, 2, 3, 4, 5]


def issue_auth_code(rt: Runtime, account_ids: list[str], redirect_uri: str) -> str:
    code = new_token()
    rt.store.save_auth_code(
        {
            "auth_code": code,
            "app_id": rt.config.app_id,
            "account_ids": account_ids,
            "redirect_uri": redirect_uri,
            "create_ms": rt.now_ms(),
            "used_ms": None,
        }
    )
    return code


def access_token(ctx: ApiContext) -> dict[str, Any]:
    """POST /oauth2/access_token/ {app_id, secret, auth_code}."""
    ctx.app()
    code = ctx.store.auth_code(ctx.text("auth_code", required=True))
    max_age = int(ctx.config.auth_code_ttl_minutes * 60_000)
    if not code or code["used_ms"] or ctx.now_ms - code["create_ms"] > max_age:
        raise ApiError(40110, "The auth_code is invalid, expired or already used.")
    ctx.store.use_auth_code(code["auth_code"], ctx.now_ms)
    token = _new_brand_token(ctx, code["account_ids"])
    return {
        "access_token": token,
        "advertiser_ids": _advertiser_ids(ctx, code["account_ids"]),
        "scope": SCOPES,
        "token_type": "Bearer",
        **_expiry(ctx),
    }


def revoke_token(ctx: ApiContext) -> dict[str, Any]:
    """POST /oauth2/revoke_token/ {app_id, secret, access_token}."""
    ctx.app()
    token = ctx.store.token(ctx.text("access_token", required=True))
    if not token or token["revoked_ms"]:
        raise ApiError(40105, "The access token is invalid or has been revoked.")
    ctx.store.revoke_token(token["access_token"], ctx.now_ms)
    return {}


def tcm_accounts(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/oauth2/tcm/?app_id&secret with Access-Token → the TTO accounts it reaches."""
    token = ctx.token()
    ctx.app()
    return {"tto_tcm_account_ids": list(token["account_ids"])}


def account_info(ctx: ApiContext) -> dict[str, Any]:
    """GET /tto/oauth2/info/?tto_tcm_account_id."""
    account = ctx.account()
    return {
        "tto_tcm_account_id": account["account_id"],
        "account_name": account["account_name"],
        "timezone": account["timezone"],
        "country": account["country"],
        "business_verification_status": account["business_verification_status"],
    }


def _new_brand_token(ctx: ApiContext, account_ids: list[str]) -> str:
    token = new_token()
    ttl = int(ctx.config.tto_token_ttl_hours * HOUR_MS)
    ctx.store.save_token(
        {
            "access_token": token,
            "app_id": ctx.config.app_id,
            "account_ids": account_ids,
            "create_ms": ctx.now_ms,
            "expires_ms": ctx.now_ms + ttl if ctx.config.tto_token_expires else None,
            "revoked_ms": None,
        }
    )
    return token


def _advertiser_ids(ctx: ApiContext, account_ids: list[str]) -> list[str]:
    accounts = [ctx.store.account(account_id) for account_id in account_ids]
    return [account["advertiser_id"] for account in accounts if account]


def _expiry(ctx: ApiContext) -> dict[str, Any]:
    if not ctx.config.tto_token_expires:
        return {}
    return {"expires_in": int(ctx.config.tto_token_ttl_hours * 3600)}
