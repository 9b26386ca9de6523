"""Connecting a workspace through TikTok's authorization page (the advertiser-style flow).

The owner is sent to TikTok's consent screen with a one-time `state`; TikTok (or the
sandbox's stand-in page) redirects back with an `auth_code`, exchanged once for the
TTO account token. Each step is one web request with one TikTok call (architecture §10):
the callback exchanges the code, the next page lists the token's accounts, and connecting
one reads its details.
"""

import secrets
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from inviteflow.core.crypto import decrypt, encrypt
from inviteflow.tiktok.connections import client_with

SESSION_KEY = "tiktok_oauth"


def callback_url() -> str:
    return settings.SITE_URL + reverse("tiktok_oauth_callback")


def authorization_url(session: SessionBase, workspace_slug: str) -> str:
    state = secrets.token_urlsafe(24)
    session[SESSION_KEY] = {"state": state, "workspace": workspace_slug}
    query = urlencode(
        {"app_id": settings.TIKTOK_APP_ID, "state": state, "redirect_uri": callback_url()}
    )
    base = settings.TIKTOK_AUTH_URL or settings.TIKTOK_API_BASE_URL + "/portal/auth"
    return f"{base}?{query}"


def consent_origin() -> str:
    """Where "Connect with TikTok" sends the owner: the page's CSP lets its form lead there."""
    parts = urlsplit(settings.TIKTOK_AUTH_URL or settings.TIKTOK_API_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def workspace_for_state(session: SessionBase, state: str) -> str | None:
    """The workspace slug this callback belongs to, when `state` is the one we issued."""
    pending = session.get(SESSION_KEY) or {}
    if not state or not secrets.compare_digest(pending.get("state", ""), state):
        return None
    return str(pending["workspace"])


def exchange(auth_code: str) -> str:
    """The token behind `auth_code` (TikTok accepts each code once)."""
    with client_with(None, interactive=True) as client:
        return client.exchange_auth_code(auth_code).access_token.get_secret_value()


def accounts_of(token: str) -> list[str]:
    """The TTO accounts the token reaches."""
    with client_with(token, interactive=True) as client:
        return client.tto_accounts()


def remember_token(session: SessionBase, token: str, accounts: list[str] | None = None) -> None:
    """Keep the token (encrypted), and its accounts once listed, while the owner picks one."""
    session[SESSION_KEY] = {
        **session.get(SESSION_KEY, {}),
        "token": encrypt(token),
        "accounts": accounts,
    }


def remembered_token(session: SessionBase) -> tuple[str, list[str] | None] | None:
    """The token and its accounts (None until listed), or None without a token."""
    pending = session.get(SESSION_KEY) or {}
    if "token" not in pending:
        return None
    accounts = pending.get("accounts")
    return decrypt(pending["token"]), None if accounts is None else list(accounts)


def forget(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
