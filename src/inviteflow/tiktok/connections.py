"""A workspace's connection to TikTok One: which TTO account, with which token.

The token is encrypted at rest (core.crypto). A token TikTok stops accepting
moves the connection to `revoked`: TikTok work then stops with a clear message
instead of failing task after task.
"""

from django.db import transaction
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.tiktok import errors
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.models import TikTokConnection


class NotConnected(Exception):
    """The workspace has no usable TikTok connection; the message says what to do."""


def get_connection(workspace: Workspace) -> TikTokConnection | None:
    return TikTokConnection.objects.filter(workspace=workspace).first()


def client_for(workspace: Workspace) -> tuple[TikTokClient, str]:
    """A client carrying the workspace's token and its TTO account id, or NotConnected."""
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
    client = TikTokClient.from_settings(connection.access_token, workspace_key=workspace.slug)
    return client, connection.account_id


def connect_with_token(workspace: Workspace, account_id: str, token: str) -> TikTokConnection:
    """Store a token (pasted, from the CLI, or from OAuth) after TikTok confirms it works."""
    account_id, token = account_id.strip(), token.strip()
    if not account_id.isdigit():
        raise ValueError("account: a TikTok One account id is a number")
    if not token:
        raise ValueError("token: required")
    with TikTokClient.from_settings(token, workspace_key=workspace.slug) as client:
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
        transaction.on_commit(lambda: connected(connection))
    return connection


def connected(connection: TikTokConnection) -> None:
    """Hook: what happens after a workspace connects (webhook subscription, first sync)."""
    from inviteflow.posts.tasks import subscribe_webhooks, sync_workspace_posts

    # Replace: a subscription made with an earlier (maybe revoked) token is dead.
    subscribe_webhooks.enqueue(connection.workspace_id, True)
    sync_workspace_posts.enqueue(connection.workspace_id)


def test_connection(connection: TikTokConnection) -> TikTokConnection:
    """Ask TikTok for the account's details; a refused token marks the connection revoked."""
    try:
        with TikTokClient.from_settings(
            connection.access_token, workspace_key=connection.workspace.slug
        ) as client:
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


def disconnect(workspace: Workspace) -> None:
    TikTokConnection.objects.filter(workspace=workspace).delete()
