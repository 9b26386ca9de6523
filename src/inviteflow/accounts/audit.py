"""The security audit log: small `record` calls where access changes, read by owners.

Logins and failed logins arrive through Django's auth signals (connected in AppConfig.ready),
since Django's own login views and the admin's raise them."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from inviteflow.accounts.models import SecurityEvent, User, Workspace
from inviteflow.accounts.throttle import login_email
from inviteflow.core.clients import client_address

Kind = SecurityEvent.Kind


def record(
    kind: str,
    *,
    workspace: Workspace | None = None,
    user: User | None = None,
    email: str = "",
    request: HttpRequest | None = None,
    detail: str = "",
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        kind=kind,
        workspace=workspace,
        user=user,
        email=(email or (user.email if user else "")).lower()[:254],
        address=(client_address(request) or None) if request is not None else None,
        detail=detail[:200],
    )


def events_for(workspace: Workspace) -> QuerySet[SecurityEvent]:
    """The workspace's own events, and the logins of its current members."""
    members = workspace.memberships.values("user__email")
    return SecurityEvent.objects.filter(
        Q(workspace=workspace) | Q(workspace=None, email__in=members)
    ).select_related("user")


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(Kind.LOGIN, user=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = login_email(request, credentials) if request is not None else ""
    record(Kind.LOGIN_FAILED, email=email or str(credentials.get("username", "")), request=request)
