"""Settings → TikTok: connect (OAuth or a pasted token), test, disconnect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import (
    WorkspaceRequest,
    membership_for,
    require_role,
    workspace_view,
)
from inviteflow.accounts.models import Role, User, Workspace
from inviteflow.core.enqueue import enqueue_on_commit
from inviteflow.core.policy import forms_may_lead_to
from inviteflow.tiktok import connections, doctor, errors, oauth, sizes
from inviteflow.tiktok.forms import ChooseAccountForm, TokenForm
from inviteflow.tiktok.tasks import RUN_DOCTOR


@forms_may_lead_to(oauth.consent_origin)
@workspace_view()
def tiktok_settings(request: WorkspaceRequest) -> HttpResponse:
    return _page(request, TokenForm())


def _page(request: WorkspaceRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    context = {
        "section": "settings",
        "connection": connections.get_connection(request.workspace),
        "token_form": form,
        "diagnostics": doctor.latest_report(request.workspace),
        "learned_limits": sizes.learned(),  # installation-wide
    }
    return render(request, "tiktok/settings.html", context, status=status)


@require_POST
@forms_may_lead_to(oauth.consent_origin)
@workspace_view(write_role=Role.OWNER)
def connect_token(request: WorkspaceRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        connections.connect_with_token(
            request.workspace,
            form.cleaned_data["account_id"],
            form.cleaned_data["token"],
            by=request.user,
        )
    except (ValueError, errors.TikTokError) as exc:
        form.add_error(None, f"TikTok did not accept this account and token: {_reason(exc)}")
        return _page(request, form, status=422)
    messages.success(request, "Connected to TikTok.")
    return redirect("tiktok_settings", slug=request.workspace.slug)


def _reason(exc: Exception) -> str:
    if isinstance(exc, errors.TikTokError):
        return f"{exc.message} (code {exc.code})"
    return str(exc)


@require_POST
@workspace_view(write_role=Role.OWNER)
def start_oauth(request: WorkspaceRequest) -> HttpResponse:
    return redirect(oauth.authorization_url(request.session, request.workspace.slug))


@login_required
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """TikTok sends the owner back here with `auth_code` and our `state`."""
    slug = oauth.workspace_for_state(request.session, request.GET.get("state", ""))
    if slug is None:
        messages.error(request, "This TikTok authorization is unknown or expired; start again.")
        return redirect("home")
    workspace = _owned(request, slug)
    if request.GET.get("error") or not request.GET.get("auth_code"):
        oauth.forget(request.session)
        messages.error(request, "TikTok authorization was cancelled.")
        return redirect("tiktok_settings", slug=slug)
    try:
        token = oauth.exchange(request.GET["auth_code"])
    except errors.TikTokError as exc:
        messages.error(request, f"TikTok refused the authorization: {_reason(exc)}")
        return redirect("tiktok_settings", slug=workspace.slug)
    oauth.remember_token(request.session, token)
    return redirect("tiktok_choose_account", slug=workspace.slug)


def _owned(request: HttpRequest, slug: str) -> Workspace:
    membership = membership_for(request.user, slug)
    require_role(membership, Role.OWNER)
    return membership.workspace


def _finish(
    request: HttpRequest, workspace: Workspace, account_id: str, token: str
) -> HttpResponse:
    try:
        by = request.user if isinstance(request.user, User) else None
        connections.connect_with_token(workspace, account_id, token, by=by)
    except (ValueError, errors.TikTokError) as exc:
        messages.error(request, f"Could not connect: {_reason(exc)}")
    else:
        messages.success(request, "Connected to TikTok.")
    oauth.forget(request.session)
    return redirect("tiktok_settings", slug=workspace.slug)


@workspace_view(role=Role.OWNER, write_role=Role.OWNER)
def choose_account(request: WorkspaceRequest) -> HttpResponse:
    """The accounts the new token reaches (listed once); connecting one finishes the flow."""
    pending = oauth.remembered_token(request.session)
    if pending is None:
        return redirect("tiktok_settings", slug=request.workspace.slug)
    token, accounts = pending
    if accounts is None:
        try:
            accounts = oauth.accounts_of(token)
        except errors.TikTokError as exc:
            messages.error(request, f"TikTok did not list the accounts: {_reason(exc)}")
            return redirect("tiktok_settings", slug=request.workspace.slug)
        oauth.remember_token(request.session, token, accounts)
    form = ChooseAccountForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        return _finish(request, request.workspace, form.cleaned_data["account_id"], token)
    return render(request, "tiktok/choose_account.html", {"section": "settings", "form": form})


@require_POST
@workspace_view()
def test_connection(request: WorkspaceRequest) -> HttpResponse:
    connection = connections.get_connection(request.workspace)
    if connection is None:
        messages.error(request, "Not connected to TikTok yet.")
    else:
        try:
            connections.test_connection(connection)
        except errors.TikTokError as exc:
            messages.error(request, f"TikTok could not be reached: {_reason(exc)}")
        else:
            messages.success(request, f"TikTok connection: {connection.get_status_display()}.")
    return redirect("tiktok_settings", slug=request.workspace.slug)


@require_POST
@workspace_view()
def run_diagnostics(request: WorkspaceRequest) -> HttpResponse:
    """`inviteflow tiktok doctor` in the background: many TikTok calls, none in this request."""
    if connections.get_connection(request.workspace) is None:
        messages.error(request, "Not connected to TikTok yet.")
    else:
        enqueue_on_commit(RUN_DOCTOR, request.workspace.pk)
        messages.success(
            request, "Diagnostics started: every endpoint is probed; reload in a minute."
        )
    return redirect("tiktok_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(write_role=Role.OWNER)
def disconnect(request: WorkspaceRequest) -> HttpResponse:
    connections.disconnect(request.workspace, by=request.user)
    messages.success(request, "Disconnected from TikTok. Links already made keep working.")
    return redirect("tiktok_settings", slug=request.workspace.slug)
