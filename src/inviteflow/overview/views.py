"""The workspace's home: campaigns in flight with their figures, and what needs attention."""

from django.http import HttpResponse
from django.shortcuts import render

from inviteflow.accounts.access import WorkspaceRequest, workspace_view
from inviteflow.overview.queries import overview_of
from inviteflow.tiktok.connections import get_connection


@workspace_view()
def overview(request: WorkspaceRequest) -> HttpResponse:
    context = {
        "section": "overview",
        "overview": overview_of(request.workspace),
        "connected": get_connection(request.workspace) is not None,
    }
    return render(request, "overview/home.html", context)
