from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inviteflow.accounts.access import scoped, workspace_view
from inviteflow.core.pagination import paginate
from inviteflow.creators.models import Creator


@workspace_view()
def creator_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, scoped(Creator, request.workspace))  # type: ignore[attr-defined]
    return render(request, "creators/list.html", {"section": "creators", "page": page})
