"""A shared report: one campaign's report behind an unguessable address, no login.

Read-only and reduced to the report itself: no workspace navigation, no links into the
workspace, creators' emails only when the link was made with them. Unknown, revoked and
expired links answer the same 404. Search engines are told to stay away and the address
never leaks through a Referer header.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from inviteflow.core.private_pages import private_page
from inviteflow.insights import rollups, services
from inviteflow.insights.views import report_context


@private_page
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    link = services.live_report_link(token)
    if link is None:
        raise Http404("No such report")
    campaign = link.campaign
    report = rollups.report(campaign, request.GET.get("region", "").upper())
    context = {
        **report_context(request, campaign, report, campaign.workspace),
        "link": link,
        "brand": campaign.workspace.name,
        "shared": True,
        "show_contacts": not link.hide_contacts,
    }
    return render(request, "insights/shared_report.html", context)
