"""The workspace's home: campaigns in flight with their figures, and what needs attention."""

from django.http import HttpResponse
from django.shortcuts import redirect, render

from inviteflow.accounts.access import WorkspaceRequest, client_campaigns, workspace_view
from inviteflow.accounts.models import Role
from inviteflow.overview.queries import overview_of
from inviteflow.tiktok.connections import get_connection


@workspace_view(role=Role.CLIENT)
def overview(request: WorkspaceRequest) -> HttpResponse:
    if request.membership.is_client:
        return _client_home(request)
    context = {
        "section": "overview",
        "overview": overview_of(request.workspace),
        "connected": get_connection(request.workspace) is not None,
    }
    return render(request, "overview/home.html", context)


def _client_home(request: WorkspaceRequest) -> HttpResponse:
    """A client sees only its campaigns: straight into the only one, else a plain list."""
    campaigns = list(client_campaigns(request.membership))
    if len(campaigns) == 1:
        return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaigns[0].pk)
    return render(
        request, "overview/client_home.html", {"section": "overview", "campaigns": campaigns}
    )
