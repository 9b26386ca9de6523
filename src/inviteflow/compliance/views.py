"""Compliance pages: a campaign's compliance view, its summary on the Campaign Details page,
Scan now, and the one-click remedies (campaign code, linking request, reminder, revoke).

Campaigns and posts come through get_for_workspace (another workspace's id is a 404);
every POST needs the manager role (403). A remedy makes at most one TikTok write while the
user waits, with a short wait for a call slot; lookups (a lost answer) run in the background
and the panel says so. HTMX gets the panel back; other clients are redirected with a message.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import (
    WorkspaceRequest,
    campaign_for,
    get_for_workspace,
    workspace_view,
)
from inviteflow.accounts.models import Role
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import codes, linking, queries, services
from inviteflow.compliance.forms import SignalsForm
from inviteflow.compliance.remedies import Checking, Refused, tiktok_for
from inviteflow.core.forms import saved
from inviteflow.core.htmx import render_page_or_partial
from inviteflow.posts.models import Post
from inviteflow.tiktok.work import work_state

SECTION = "campaigns"
SUMMARY_ROWS = 5
PAGE_ROWS = 200
LINK_ACTIONS: dict[str, Callable[..., Any]] = {
    "link": linking.send_link_request,
    "remind": linking.remind_link_request,
    "revoke": linking.revoke_link_request,
}


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return campaign_for(request, campaign_id)  # a client: only its named campaigns


def _post(request: WorkspaceRequest, post_id: int) -> Post:
    posts = Post.objects.select_related("campaign", "creator", "workspace")
    return get_for_workspace(posts, request.workspace, pk=post_id)


def panel_context(campaign: Campaign, summary: bool) -> dict[str, Any]:
    """The panel refreshes itself (server-driven) until its scan and emails are settled."""
    at_risk = queries.at_risk(campaign)
    scan = queries.scan_of(campaign)
    work = work_state(scan, campaign.workspace)
    context: dict[str, Any] = {
        "section": SECTION,
        "campaign": campaign,
        "summary": summary,
        "counts": queries.counts(campaign),
        "scan": scan,
        "work": work,
        "settled": work.settled,
        "at_risk": list(at_risk[: SUMMARY_ROWS if summary else PAGE_ROWS]),
        "codes_refused": _codes_refused(campaign),
    }
    if not summary:
        remedies = list(queries.remedies_of(campaign)[:PAGE_ROWS])
        context |= {
            "creators": queries.by_creator(campaign),
            "resolved": list(queries.resolved(campaign)[:PAGE_ROWS]),
            "remedies": remedies,
            "codes": list(queries.codes_of(campaign)),
            "settled": work.settled and not queries.emails_on_their_way(remedies),
        }
    return context


def _codes_refused(campaign: Campaign) -> str:
    """Why the campaign-code button is gone (TikTok refused codes for the account), or ""."""
    refused = services.codes_refused(campaign.workspace)
    return codes.codes_unavailable_message(refused.code, refused.message) if refused else ""


@workspace_view(role=Role.CLIENT)
def campaign_compliance(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Counts, creators, posts at risk (oldest first) with their remedies, the audit trail."""
    context = panel_context(_campaign(request, campaign_id), summary=False)
    return render_page_or_partial(
        request, "compliance/campaign.html", "compliance/htmx/panel.html", context
    )


@workspace_view(role=Role.CLIENT)
def campaign_summary(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The Compliance section of the Campaign Details page (loaded after the page)."""
    context = panel_context(_campaign(request, campaign_id), summary=True)
    return render(request, "compliance/htmx/panel.html", context)


@require_POST
@workspace_view()
def scan_now(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    services.request_scan(campaign)
    return _done(request, campaign, "Scan queued: new posts of the creators are being read.")


@require_POST
@workspace_view()
def send_campaign_code(request: WorkspaceRequest, post_id: int) -> HttpResponse:
    post = _post(request, post_id)
    try:
        with tiktok_for(post.workspace) as tiktok:
            code = codes.send_campaign_code(post, _actor(request), tiktok)
    except Checking as exc:
        return _done(request, post.campaign, exc.message)
    except Refused as exc:
        return _done(request, post.campaign, exc.message, ok=False)
    return _done(
        request, post.campaign, f"Campaign code {code.code} sent to @{post.creator.handle}."
    )


@require_POST
@workspace_view()
def link_request(request: WorkspaceRequest, post_id: int) -> HttpResponse:
    """action: link (default), remind or revoke."""
    post = _post(request, post_id)
    action = LINK_ACTIONS.get(request.POST.get("action", "link"))
    if action is None:
        return _done(request, post.campaign, "action: link, remind or revoke", ok=False)
    try:
        with tiktok_for(post.workspace) as tiktok:
            sent = action(post, _actor(request), tiktok)
    except Checking as exc:
        return _done(request, post.campaign, exc.message)
    except Refused as exc:
        return _done(request, post.campaign, exc.message, ok=False)
    return _done(
        request,
        post.campaign,
        f"Linking request for @{post.creator.handle}: {sent.get_status_display()}.",
    )


def _actor(request: WorkspaceRequest) -> services.Actor:
    return services.Actor(request.user, request.user.email)


def _done(
    request: WorkspaceRequest, campaign: Campaign, message: str, ok: bool = True
) -> HttpResponse:
    """HTMX: the panel again, with the outcome; others: back to the compliance page."""
    if request.htmx:
        context = panel_context(campaign, summary=request.POST.get("view") == "summary")
        context["notice"] = {"ok": ok, "text": message}
        return render(request, "compliance/htmx/panel.html", context, status=200)
    (messages.success if ok else messages.error)(request, message)
    return redirect(
        "compliance_campaign",
        slug=request.workspace.slug,
        campaign_id=campaign.pk,
    )


@workspace_view()
def signals_settings(request: WorkspaceRequest) -> HttpResponse:
    """Settings → Compliance signals: brand names, @handles and disclosure keywords."""
    workspace = request.workspace
    initial = SignalsForm.initial_for(services.signals_of(workspace))
    form = SignalsForm(request.POST if request.method == "POST" else None, initial=initial)
    if saved(form, lambda _: services.save_signals(workspace, form.signals())):
        messages.success(request, "Compliance signals saved: the next scans look for them.")
        return redirect("compliance_signals", slug=workspace.slug)
    return render(request, "compliance/signals.html", {"section": "settings", "form": form})
