"""A workspace's connection to TikTok One: which TTO account, with which token.

The token is encrypted at rest (core.crypto). A token TikTok stops accepting
moves the connection to `revoked`: TikTok work then stops with a clear message
instead of failing task after task.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inviteflow.accounts import audit
from inviteflow.accounts.models import User, Workspace
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import INSTALLATION, TikTokClient
from inviteflow.tiktok.models import TikTokConnection


class NotConnected(Exception):
    """The workspace has no usable TikTok connection; the message says what to do."""


@dataclass
class TikTokAccount:
    """A client bound to the workspace's TTO account; closes the client on leaving `with`."""

    client: TikTokClient
    account_id: str

    def __enter__(self) -> "TikTokAccount":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()


ConnectHook = Callable[[TikTokConnection], None]
CONNECT_HOOKS: list[ConnectHook] = []


def on_connect(hook: ConnectHook) -> ConnectHook:
    """Register what a higher app does once a workspace connects (from its AppConfig.ready)."""
    if hook not in CONNECT_HOOKS:
        CONNECT_HOOKS.append(hook)
    return hook


def get_connection(workspace: Workspace) -> TikTokConnection | None:
    return TikTokConnection.objects.filter(workspace=workspace).first()


def client_for(workspace: Workspace, *, interactive: bool = False) -> TikTokAccount:
    """The workspace's TTO account with a client carrying its token, or NotConnected.

    `interactive`: for a web request, which must not wait on TikTok (architecture §10): no
    retries, and at most TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S (1 s) of waiting for a slot."""
    connection = get_connection(workspace)
    if connection is None:
        raise NotConnected(
            f"{workspace.name} is not connected to TikTok: connect it in Settings → TikTok."
        )
    if connection.status != TikTokConnection.Status.CONNECTED:
        raise NotConnected(
            f"TikTok connection of {workspace.name} is {connection.get_status_display().lower()}"
            f" ({connection.last_error or 'no detail'}): reconnect it in Settings → TikTok."
        )
    client = client_with(connection.access_token, workspace.slug, interactive=interactive)
    return TikTokAccount(client, connection.account_id)


def client_with(
    token: str | None, workspace_key: str = INSTALLATION, *, interactive: bool
) -> TikTokClient:
    """A client for `token`; an interactive one (a web request) makes no retries and waits
    at most TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S for a call slot."""
    if not interactive:
        return TikTokClient.from_settings(token, workspace_key=workspace_key)
    return TikTokClient.from_settings(
        token,
        workspace_key=workspace_key,
        max_retries=0,
        limiter_timeout=settings.TIKTOK_INTERACTIVE_LIMITER_TIMEOUT_S,
    )


def connect_with_token(
    workspace: Workspace,
    account_id: str,
    token: str,
    *,
    interactive: bool = True,
    by: User | None = None,
) -> TikTokConnection:
    """Store a token (pasted, from the CLI, or from OAuth) after TikTok confirms it works:
    one TikTok call (interactive, for a web request, unless the CLI says otherwise)."""
    account_id, token = account_id.strip(), token.strip()
    if not account_id.isdigit():
        raise ValueError("account: a TikTok One account id is a number")
    if not token:
        raise ValueError("token: required")
    with client_with(token, workspace.slug, interactive=interactive) as client:
        info = client.account_info(account_id)  # raises when the token or account is wrong
    with transaction.atomic():
        connection, _ = TikTokConnection.objects.update_or_create(
            workspace=workspace,
            defaults={
                "account_id": account_id,
                "access_token": token,
                "status": TikTokConnection.Status.CONNECTED,
                "account_name": info.account_name,
                "country": info.country,
                "verification_status": info.business_verification_status,
                "connected_at": timezone.now(),
                "checked_at": timezone.now(),
                "last_error": "",
            },
        )
        detail = f"account {account_id} ({info.account_name})"
        audit.record(audit.Kind.TIKTOK_CONNECTED, workspace=workspace, user=by, detail=detail)
        transaction.on_commit(lambda: connected(connection))
    return connection


def connected(connection: TikTokConnection) -> None:
    """Run what other apps registered with `on_connect` (webhook subscription, first sync)."""
    for hook in CONNECT_HOOKS:
        hook(connection)


def record_subscription(workspace: Workspace, subscription_id: str) -> None:
    """The TCM_VIDEOS webhook subscription TikTok holds for the connection ("" for none)."""
    TikTokConnection.objects.filter(workspace=workspace).update(
        webhook_subscription_id=subscription_id
    )


def test_connection(connection: TikTokConnection) -> TikTokConnection:
    """Ask TikTok for the account's details; a refused token marks the connection revoked."""
    try:
        slug = connection.workspace.slug
        with client_with(connection.access_token, slug, interactive=True) as client:
            info = client.account_info(connection.account_id)
    except (errors.AuthError, errors.PermissionDenied) as exc:
        mark_revoked(connection, f"{exc.code}: {exc.message}")
        return connection
    connection.account_name = info.account_name
    connection.country = info.country
    connection.verification_status = info.business_verification_status
    connection.status = TikTokConnection.Status.CONNECTED
    connection.checked_at = timezone.now()
    connection.last_error = ""
    connection.save()
    return connection


def mark_revoked(connection: TikTokConnection, detail: str) -> None:
    TikTokConnection.objects.filter(pk=connection.pk).update(
        status=TikTokConnection.Status.REVOKED, last_error=detail, checked_at=timezone.now()
    )
    connection.refresh_from_db()


def disconnect(workspace: Workspace, by: User | None = None) -> None:
    with transaction.atomic():
        deleted, _ = TikTokConnection.objects.filter(workspace=workspace).delete()
        if deleted:
            audit.record(audit.Kind.TIKTOK_DISCONNECTED, workspace=workspace, user=by)
