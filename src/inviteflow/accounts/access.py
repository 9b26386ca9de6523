"""Tenant access helpers. Views, API endpoints and tasks get objects only through these.

Another workspace's object answers 404 (never 403, never data); a role too low
for a write answers 403.

A client member (Role.CLIENT) is read-only and sees only the campaigns named on its
membership: every view answers it 404, as to an outsider, except the views that opt in
with `workspace_view(role=Role.CLIENT)` — and those find campaigns through
`campaign_for`, which finds only the client's campaigns. A client's POST is a 404 too.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from inviteflow.accounts.models import Membership, Role, User, Workspace

M = TypeVar("M", bound=Model)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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


def campaign_for(request: "WorkspaceRequest", campaign_id: Any, queryset: Any = None) -> Any:
    """One campaign of the request's workspace, or 404; for a client, only one of the
    campaigns named on its membership (any other is a 404, like another workspace's).

    `queryset` (of campaigns.Campaign) narrows or joins further. The Campaign model is
    looked up by name: accounts sits below campaigns and does not import it."""
    if queryset is None:
        queryset = apps.get_model("campaigns", "Campaign")._default_manager.all()
    if request.membership.is_client:
        queryset = queryset.filter(pk__in=request.membership.client_campaigns.values("pk"))
    return get_for_workspace(queryset, request.workspace, pk=campaign_id)


def client_campaigns(membership: Membership) -> QuerySet:
    """The campaigns a client member sees (of its workspace only), by name."""
    return scoped(membership.client_campaigns.all(), membership.workspace).order_by("name")


def workspace_view(role: str = Role.VIEWER, write_role: str = Role.MANAGER) -> Callable:
    """Resolve the `slug` URL argument into request.workspace / request.membership.

    Safe methods need `role`; unsafe ones (POST, …) need `write_role`. A client member gets
    404 unless `role` is Role.CLIENT (the view opts in, and must look campaigns up with
    `campaign_for`), and 404 for any unsafe method: clients are read-only.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: WorkspaceRequest, slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            # Signed in (login_required runs first); workspace and membership are set here.
            membership = membership_for(request.user, slug)
            safe = request.method in SAFE_METHODS
            if membership.is_client and not (safe and role == Role.CLIENT):
                raise Http404("Not found")  # like an outsider: a client learns nothing more
            require_role(membership, role if safe else write_role)
            request.membership = membership
            request.workspace = membership.workspace
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
