"""Workspace settings: members, invitations and API keys (owners manage them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inviteflow.accounts import services
from inviteflow.accounts.access import (
    AuthenticatedRequest,
    WorkspaceRequest,
    get_for_workspace,
    scoped,
    workspace_view,
)
from inviteflow.accounts.forms import ApiKeyForm, InviteForm
from inviteflow.accounts.models import ApiKey, Invitation, Membership, Role


@workspace_view()
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    return _render_settings(request, InviteForm(), ApiKeyForm())


def _render_settings(
    request: WorkspaceRequest,
    invite_form: InviteForm,
    key_form: ApiKeyForm,
    new_key: str | None = None,
    invite_url: str | None = None,
) -> HttpResponse:
    workspace = request.workspace
    context = {
        "section": "settings",
        "members": scoped(Membership, workspace).select_related("user").order_by("user__email"),
        "invitations": scoped(Invitation, workspace).filter(accepted_at=None),
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
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, form, ApiKeyForm())
    token = services.invite_teammate(
        request.workspace,
        form.cleaned_data["email"],
        form.cleaned_data["role"],
        request.user,
    )
    url = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    messages.success(request, f"Invitation created for {form.cleaned_data['email']}.")
    return _render_settings(request, InviteForm(), ApiKeyForm(), invite_url=url)


@require_POST
@workspace_view(write_role=Role.OWNER)
def create_api_key(request: WorkspaceRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, InviteForm(), form)
    _, key = services.create_api_key(
        request.workspace,
        form.cleaned_data["name"],
        form.cleaned_data["read_only"],
    )
    return _render_settings(request, InviteForm(), ApiKeyForm(), new_key=key)


@require_POST
@workspace_view(write_role=Role.OWNER)
def revoke_api_key(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    api_key = get_for_workspace(ApiKey, request.workspace, pk=key_id)
    services.revoke_api_key(api_key)
    messages.success(request, f"API key “{api_key.name}” revoked.")
    return redirect("workspace_settings", slug=request.workspace.slug)


@login_required
def accept_invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/accept.html", {"invitation": Invitation.find(token)})
    try:
        membership = services.accept_invitation(token, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    return redirect("campaign_list", slug=membership.workspace.slug)
