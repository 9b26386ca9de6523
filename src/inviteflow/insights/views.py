"""Report pages: a campaign's insights report (totals, charts, per-creator and per-post
tables), its CSV and XLSX exports, Refresh insights, and one post's insights.

Campaigns and posts come through get_for_workspace (another workspace's id is a 404);
Refresh insights needs the manager role. One view, two renderings: an HTMX request for a
`part` (posts, creators, sync) gets only that partial.
"""

from typing import Any, TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import (
    WorkspaceRequest,
    campaign_for,
    get_for_workspace,
    scoped,
    workspace_view,
)
from inviteflow.accounts.models import Role, Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.forms import saved
from inviteflow.creators.models import Creator
from inviteflow.insights import exports, figures, rollups, services
from inviteflow.insights.forms import ShareReportForm
from inviteflow.insights.models import ReportLink
from inviteflow.posts.models import Post
from inviteflow.tiktok.work import work_state

SECTION = "campaigns"
POSTS_PER_PAGE = 50
CREATORS_PER_PAGE = 25
PARTS = {
    "posts": "insights/htmx/posts.html",
    "creators": "insights/htmx/creators.html",
    "sync": "insights/htmx/sync.html",
}
R = TypeVar("R", bound=HttpResponseBase)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return campaign_for(request, campaign_id)  # a client: only its named campaigns


class Counted:
    """A queryset whose length is already known (the totals counted it): paginating it does
    not count 20,000 rows a second time."""

    def __init__(self, queryset: Any, count: int) -> None:
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.queryset[index]


def _page(
    request: HttpRequest, items: Any, param: str, per_page: int, count: int | None = None
) -> Page:
    listed: Any = items if count is None else Counted(items, count)
    return Paginator(listed, per_page).get_page(request.GET.get(param))


def _region(request: HttpRequest, campaign: Campaign) -> tuple[str, list[str]]:
    regions = rollups.regions(campaign)
    wanted = request.GET.get("region", "").upper()
    return (wanted if wanted in regions else regions[0]), regions


@workspace_view(role=Role.CLIENT)
def campaign_report(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The whole report, or (HTMX) one of its parts."""
    campaign = _campaign(request, campaign_id)
    part = request.GET.get("part", "")
    if request.htmx and part in PARTS:
        return _part(request, campaign, part)
    report = rollups.report(campaign, request.GET.get("region", "").upper())
    context = {
        "section": SECTION,
        "sync": report.sync,
        "work": work_state(report.sync, campaign.workspace),
        **report_context(request, campaign, report, request.workspace),
    }
    if request.membership.allows(Role.MANAGER):
        context.update(_sharing_context(request, campaign))
    return render(request, "insights/report.html", context)


def report_context(
    request: HttpRequest, campaign: Campaign, report: rollups.Report, workspace: Workspace
) -> dict[str, Any]:
    """What insights/_report_body.html shows: totals, charts, the creator and post tables."""
    return {
        "campaign": campaign,
        "report": report,
        "region": report.region,
        "totals": figures.total_rows(report.totals),
        "headline": figures.HEADLINE,
        "charts": figures.campaign_charts(report),
        **_posts_context(request, campaign, report.region, report.totals["posts"]),
        **_creators_context(request, workspace, campaign, report.region, report.totals["creators"]),
    }


def _part(request: WorkspaceRequest, campaign: Campaign, part: str) -> HttpResponse:
    context: dict[str, Any] = {"section": SECTION, "campaign": campaign}
    if part == "sync":
        return _sync_part(request, campaign, context)
    region, _ = _region(request, campaign)
    context["region"] = region
    if part == "posts":
        context.update(_posts_context(request, campaign, region))
    else:
        context.update(_creators_context(request, request.workspace, campaign, region))
    return render(request, PARTS[part], context)


def _sync_part(request: HttpRequest, campaign: Campaign, context: dict[str, Any]) -> HttpResponse:
    """Polled while a refresh runs; once it is done the page reloads with the new figures."""
    sync = rollups.sync_state(campaign)
    work = work_state(sync, campaign.workspace)
    response = render(request, PARTS["sync"], {**context, "sync": sync, "work": work})
    if request.GET.get("was") == "running" and work.settled:
        response["HX-Refresh"] = "true"
    return response


def _posts_context(
    request: HttpRequest, campaign: Campaign, region: str, count: int | None = None
) -> dict[str, Any]:
    page = _page(request, rollups.by_post(campaign, region), "posts_page", POSTS_PER_PAGE, count)
    return {"posts_page": page}


def _creators_context(
    request: HttpRequest,
    workspace: Workspace,
    campaign: Campaign,
    region: str,
    count: int | None = None,
) -> dict[str, Any]:
    page = _page(
        request, rollups.by_creator(campaign, region), "creators_page", CREATORS_PER_PAGE, count
    )
    ids = [row["creator_id"] for row in page.object_list]
    creators = scoped(Creator.with_deleted.all(), workspace).in_bulk(ids)  # deleted ones too
    rows = [
        {**rollups.with_rates(row), "creator": creators.get(row["creator_id"])}
        for row in page.object_list
    ]
    return {"creators_page": page, "creator_rows": rows}


@require_POST
@workspace_view()
def refresh(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Refresh insights: read TikTok's reports in the background."""
    campaign = _campaign(request, campaign_id)
    sync = services.request_sync(campaign)
    if request.htmx:
        context = {"campaign": campaign, "sync": sync, "work": work_state(sync, campaign.workspace)}
        return render(request, PARTS["sync"], context)
    messages.success(request, f"Refreshing the insights of “{campaign.name}” from TikTok.")
    return redirect("campaign_report", slug=request.workspace.slug, campaign_id=campaign.pk)


# -- Shared report links (managers and owners) ---------------------------------------------

NEW_REPORT_URL = "report-link-url"


def _sharing_context(request: WorkspaceRequest, campaign: Campaign) -> dict[str, Any]:
    links = scoped(ReportLink, request.workspace).filter(campaign=campaign)
    return {
        "share_form": ShareReportForm(),
        "report_links": links.select_related("created_by"),
        "new_report_url": request.session.pop(f"{NEW_REPORT_URL}:{campaign.pk}", None),
    }


def _to_sharing(request: WorkspaceRequest, campaign: Campaign) -> HttpResponse:
    url = reverse("campaign_report", args=[request.workspace.slug, campaign.pk])
    return redirect(url + "#share")


@require_POST
@workspace_view(write_role=Role.MANAGER)
def share(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """A new shareable link; its address is shown once, on the report page."""
    campaign = _campaign(request, campaign_id)
    form = ShareReportForm(request.POST)
    made = saved(
        form,
        lambda data: services.share_report(
            campaign, request.user, data["expires_in_days"], data["hide_contacts"]
        ),
    )
    if made is None:
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        messages.error(request, f"The link was not made: {errors}")
        return _to_sharing(request, campaign)
    link, token = made
    url = request.build_absolute_uri(reverse("shared_report", args=[token]))
    request.session[f"{NEW_REPORT_URL}:{campaign.pk}"] = url
    return _to_sharing(request, campaign)


@require_POST
@workspace_view(write_role=Role.MANAGER)
def revoke_link(request: WorkspaceRequest, campaign_id: int, link_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    link = get_for_workspace(ReportLink, request.workspace, pk=link_id, campaign=campaign)
    services.revoke_report_link(link)
    messages.success(request, "Link revoked: it no longer opens the report.")
    return _to_sharing(request, campaign)


def _attachment(response: R, name: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view(role=Role.CLIENT)
def export_csv(request: WorkspaceRequest, campaign_id: int) -> HttpResponseBase:
    report = rollups.report(_campaign(request, campaign_id), request.GET.get("region", "").upper())
    response = StreamingHttpResponse(
        exports.csv_lines(report), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, exports.filename(report, "csv"))


@workspace_view(role=Role.CLIENT)
def export_xlsx(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    report = rollups.report(_campaign(request, campaign_id), request.GET.get("region", "").upper())
    response = HttpResponse(exports.xlsx_bytes(report), content_type=XLSX)
    return _attachment(response, exports.filename(report, "xlsx"))


@workspace_view(role=Role.CLIENT)
def post_insights(request: WorkspaceRequest, post_id: int) -> HttpResponse:
    """One post: latest figures per region, views over time, audience, sources, retention."""
    post = get_for_workspace(
        Post.objects.select_related("campaign", "creator"),
        request.workspace,
        pk=post_id,
    )
    campaign_for(request, post.campaign_id)  # a client: a post of its named campaigns only
    latest = rollups.post_latest(post)
    insights = latest.get(request.GET.get("region", "").upper()) or next(
        iter(latest.values()), None
    )
    history = rollups.post_history(post, insights.country_code) if insights else []
    context = {
        "section": SECTION,
        "post": post,
        "campaign": post.campaign,
        "insights": insights,
        "regions": list(latest),
        "history": history,
        "figures": [(figure, getattr(insights, figure.key)) for figure in figures.METRIC_COLUMNS]
        if insights
        else [],
        "charts": figures.post_charts(insights, history) if insights else [],
    }
    return render(request, "insights/post.html", context)
