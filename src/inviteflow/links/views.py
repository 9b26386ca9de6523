"""Invite-link views: provisioning progress (HTMX-polled), retry, resume, QR codes."""

import io

import segno
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
from inviteflow.links import services
from inviteflow.links.models import InviteLink, Provisioning


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return campaign_for(request, campaign_id)  # a client: only its named campaigns


def provisioning_context(campaign: Campaign) -> dict[str, object]:
    state = Provisioning.objects.filter(campaign=campaign).first()
    counts = services.progress(campaign)
    return {
        "campaign": campaign,
        "counts": counts,
        "percent": int(100 * counts["done"] / counts["total"]) if counts["total"] else 100,
        "paused_reason": state.paused_reason if state else "",
        "waiting_until": state.waiting_until if state else None,
        "working": counts["pending"] > 0 and not (state and state.paused_reason),
    }


@workspace_view(role=Role.CLIENT)
def provisioning_panel(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Polled while links are being made; when they are done, the roster reloads itself."""
    context = provisioning_context(_campaign(request, campaign_id))
    response = render(request, "links/htmx/provisioning.html", context)
    if not context["working"]:
        response["HX-Trigger"] = "links-provisioned"
    return response


@require_POST
@workspace_view()
def retry_failed(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    services.retry_failed(campaign)
    return _back(request, campaign)


@require_POST
@workspace_view()
def resume(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    services.resume(campaign)
    return _back(request, campaign)


def _back(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    if request.htmx:
        return render(request, "links/htmx/provisioning.html", provisioning_context(campaign))
    return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)


@workspace_view(role=Role.CLIENT)
def link_qr(request: WorkspaceRequest, campaign_id: int, link_id: int) -> HttpResponse:
    """An SVG QR code of the link, for the creator's phone; no CDN, no JavaScript."""
    campaign = _campaign(request, campaign_id)
    link = get_for_workspace(InviteLink, request.workspace, pk=link_id, campaign=campaign)
    if not link.url:
        return HttpResponse(status=404)
    response = HttpResponse(qr_svg(link.url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def qr_svg(url: str) -> bytes:
    """A standalone SVG document: an `<img>` shows it only with the SVG namespace declared.
    Its size comes from a viewBox, so it scales to the box the page gives it."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", xmldecl=False, omitsize=True, scale=4, border=2
    )
    return out.getvalue()
