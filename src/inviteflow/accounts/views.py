"""Workspace settings: members, invitations and API keys (owners manage them)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inviteflow.accounts import audit, services, throttle
from inviteflow.accounts.access import (
    AuthenticatedRequest,
    WorkspaceRequest,
    get_for_workspace,
    scoped,
    workspace_view,
)
from inviteflow.accounts.forms import ApiKeyForm, InviteForm
from inviteflow.accounts.models import ApiKey, Invitation, Membership, Role
from inviteflow.core.pagination import paginate

SECURITY_LOG_PAGE_SIZE = 50


# A new API key or invitation link is shown once, on the page after the redirect that follows
# the POST (so a reload cannot create another); it waits in the session until then.
NEW_API_KEY, NEW_INVITE_URL = "new_api_key", "new_invite_url"


def _keep_shown_once(request: WorkspaceRequest, name: str, secret: str) -> None:
    request.session[f"{name}:{request.workspace.slug}"] = secret


def _pop_shown_once(request: WorkspaceRequest, name: str) -> str | None:
    return request.session.pop(f"{name}:{request.workspace.slug}", None)


@workspace_view()
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    return _render_settings(
        request,
        InviteForm(workspace=request.workspace),
        ApiKeyForm(),
        new_key=_pop_shown_once(request, NEW_API_KEY),
        invite_url=_pop_shown_once(request, NEW_INVITE_URL),
    )


def _render_settings(
    request: WorkspaceRequest,
    invite_form: InviteForm,
    key_form: ApiKeyForm,
    new_key: str | None = None,
    invite_url: str | None = None,
) -> HttpResponse:
    workspace = request.workspace
    members = (
        scoped(Membership, workspace)
        .select_related("user")
        .prefetch_related("client_campaigns")
        .order_by("user__email")
    )
    context = {
        "section": "settings",
        "members": members,
        "locked_emails": throttle.locked_emails([m.user.email for m in members]),
        "invitations": scoped(Invitation, workspace)
        .filter(accepted_at=None)
        .prefetch_related("client_campaigns"),
        "api_keys": scoped(ApiKey, workspace).filter(revoked_at=None).order_by("-created_at"),
        "invite_form": invite_form,
        "key_form": key_form,
        "new_key": new_key,
        "invite_url": invite_url,
    }
    return render(request, "accounts/settings.html", context)


@require_POST
@workspace_view(write_role=Role.OWNER)
def invite(request: WorkspaceRequest) -> HttpResponse:
    form = InviteForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        return _render_settings(request, form, ApiKeyForm())
    token = services.invite_teammate(
        request.workspace,
        form.cleaned_data["email"],
        form.cleaned_data["role"],
        request.user,
        campaigns=form.cleaned_data["campaigns"],
    )
    url = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    messages.success(request, f"Invitation created for {form.cleaned_data['email']}.")
    _keep_shown_once(request, NEW_INVITE_URL, url)
    return redirect("workspace_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(write_role=Role.OWNER)
def create_api_key(request: WorkspaceRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, InviteForm(workspace=request.workspace), form)
    _, key = services.create_api_key(
        request.workspace,
        form.cleaned_data["name"],
        form.cleaned_data["read_only"],
        by=request.user,
    )
    _keep_shown_once(request, NEW_API_KEY, key)
    return redirect("workspace_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(write_role=Role.OWNER)
def revoke_api_key(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    api_key = get_for_workspace(ApiKey, request.workspace, pk=key_id)
    services.revoke_api_key(api_key, by=request.user)
    messages.success(request, f"API key “{api_key.name}” revoked.")
    return redirect("workspace_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(write_role=Role.OWNER)
def remove_member(request: WorkspaceRequest, member_id: int) -> HttpResponse:
    membership = get_for_workspace(
        Membership.objects.select_related("user"), request.workspace, pk=member_id
    )
    try:
        services.remove_member(membership, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{membership.user.email} is no longer a member.")
    return redirect("workspace_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(write_role=Role.OWNER)
def unlock_member(request: WorkspaceRequest, member_id: int) -> HttpResponse:
    membership = get_for_workspace(
        Membership.objects.select_related("user"), request.workspace, pk=member_id
    )
    services.unlock_member(membership, by=request.user)
    messages.success(request, f"{membership.user.email} can log in again.")
    return redirect("workspace_settings", slug=request.workspace.slug)


@workspace_view(role=Role.OWNER)
def security_log(request: WorkspaceRequest) -> HttpResponse:
    events = audit.events_for(request.workspace)
    page = paginate(request, events, per_page=SECURITY_LOG_PAGE_SIZE)
    return render(request, "accounts/security_log.html", {"section": "settings", "page": page})


@login_required
def accept_invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/accept.html", {"invitation": Invitation.find(token)})
    try:
        membership = services.accept_invitation(token, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if membership.is_client:  # the overview sends a client to its campaigns
        return redirect("overview", slug=membership.workspace.slug)
    return redirect("campaign_list", slug=membership.workspace.slug)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view; a new password also lifts a login lock on the account (and is logged)."""

    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.password_was_reset(form.user, self.request)
        return response
