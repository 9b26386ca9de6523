"""Tenant access helpers. Views, API endpoints and tasks get objects only through these.

Another workspace's object answers 404 (never 403, never data); a role too low
for a write answers 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from inviteflow.accounts.models import Membership, Role, User, Workspace

M = TypeVar("M", bound=Model)


class AuthenticatedRequest(HttpRequest):
    """What a `login_required` view gets: the user is signed in (never AnonymousUser)."""

    user: User
    htmx: HtmxDetails  # set by django_htmx's middleware on every request


class WorkspaceRequest(AuthenticatedRequest):
    """What `workspace_view` hands a view: the request plus the resolved tenant."""

    workspace: Workspace
    membership: Membership


def membership_for(user: User | AnonymousUser, slug: str) -> Membership:
    """The user's membership of workspace `slug`, or 404."""
    if not user.is_authenticated:
        raise Http404("No such workspace")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    return membership


def require_role(membership: Membership, role: str) -> None:
    if not membership.allows(role):
        raise PermissionDenied(f"This needs the {role} role in {membership.workspace.name}.")


def scoped(model_or_qs: type[M] | QuerySet[M], workspace: Workspace) -> QuerySet[M]:
    """Every tenant-owned queryset starts here."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return qs.filter(workspace=workspace)


def get_for_workspace(model_or_qs: type[M] | QuerySet[M], workspace: Workspace, **lookup: Any) -> M:
    """One tenant-owned object of `workspace`, or 404 — also for another workspace's id."""
    try:
        return scoped(model_or_qs, workspace).get(**lookup)
    except (ValueError, TypeError) as exc:  # malformed id in the URL
        raise Http404("Not found") from exc
    except ObjectDoesNotExist as exc:
        raise Http404("Not found") from exc


def workspace_view(role: str = Role.VIEWER, write_role: str = Role.MANAGER) -> Callable:
    """Resolve the `slug` URL argument into request.workspace / request.membership.

    Safe methods need `role`; unsafe ones (POST, …) need `write_role`.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: WorkspaceRequest, slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            # Signed in (login_required runs first); workspace and membership are set here.
            membership = membership_for(request.user, slug)
            needed = role if request.method in ("GET", "HEAD", "OPTIONS") else write_role
            require_role(membership, needed)
            request.membership = membership
            request.workspace = membership.workspace
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
