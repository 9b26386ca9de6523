from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inviteflow.accounts.access import scoped, workspace_view
from inviteflow.campaigns.models import Campaign
from inviteflow.core.pagination import paginate


@workspace_view()
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, scoped(Campaign, request.workspace))  # type: ignore[attr-defined]
    return render(request, "campaigns/list.html", {"section": "campaigns", "page": page})
