"""Campaign pages: list, create/edit, the Campaign Details page and its roster actions.

Every campaign comes through get_for_workspace (another workspace's id is a 404);
writes need the manager role (the decorator answers 403) and go through services.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import WorkspaceRequest, campaign_for, workspace_view
from inviteflow.accounts.models import Role
from inviteflow.campaigns import queries, services
from inviteflow.campaigns.forms import CampaignForm, RosterAddForm
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.core.forms import saved
from inviteflow.core.htmx import render_page_or_partial
from inviteflow.core.pagination import paginate
from inviteflow.core.sorting import sort_queryset
from inviteflow.links import queries as link_queries
from inviteflow.links.views import provisioning_context

ROSTER_PAGE_SIZE = 50
PICKER_PAGE_SIZE = 50
ROSTER_SORTABLE = {
    "name": "creator__name",
    "handle": "creator__handle",
    "posts": "posts_owed",
}


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return campaign_for(request, campaign_id)  # a client: only its named campaigns


def _entry(campaign: Campaign, creator_id: int) -> CampaignCreator:
    """A roster entry of a campaign already scoped to the workspace, or 404."""
    return get_object_or_404(queries.roster_of(campaign), creator_id=creator_id)


def _detail_url(request: WorkspaceRequest, campaign: Campaign, data: Any = None) -> str:
    """The details page, back on the roster page and search the user came from."""
    url = reverse("campaign_detail", args=[request.workspace.slug, campaign.pk])
    params = {k: data[k] for k in ("q", "page", "sort") if data and data.get(k)}
    return f"{url}?{urlencode(params)}" if params else url


@workspace_view()
def campaign_list(request: WorkspaceRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = paginate(request, queries.campaigns_of(request.workspace, status))
    context = {
        "section": "campaigns",
        "page": page,
        "status": status,
        "statuses": Campaign.Status.choices,
    }
    return render(request, "campaigns/list.html", context)


@workspace_view(role=Role.MANAGER)
def campaign_create(request: WorkspaceRequest) -> HttpResponse:
    form = CampaignForm(request.POST if request.method == "POST" else None)
    workspace = request.workspace
    if campaign := saved(form, lambda values: services.create_campaign(workspace, **values)):
        messages.success(request, f"Campaign “{campaign.name}” created. Now add creators.")
        return redirect("campaign_detail", slug=workspace.slug, campaign_id=campaign.pk)
    return render(request, "campaigns/form.html", {"section": "campaigns", "form": form})


@workspace_view(role=Role.MANAGER)
def campaign_edit(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, campaign=campaign)
    if saved(form, lambda values: services.update_campaign(campaign, **values)):
        messages.success(request, f"Campaign “{campaign.name}” saved.")
        return redirect(_detail_url(request, campaign))
    context = {"section": "campaigns", "form": form, "campaign": campaign}
    return render(request, "campaigns/form.html", context)


@workspace_view(role=Role.CLIENT)
def campaign_detail(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The Campaign Details page: requirements, link provisioning and the roster with each
    creator's links (HTMX search and filters swap the roster)."""
    campaign = _campaign(request, campaign_id)
    search = request.GET.get("q", "").strip()
    link_filter = request.GET.get("links", "")
    entries = link_queries.filter_roster(queries.roster_of(campaign, search), link_filter)
    owed = Coalesce("posts_required_override", Value(campaign.posts_required))
    entries, sort = sort_queryset(request, entries.annotate(posts_owed=owed), ROSTER_SORTABLE)
    roster = paginate(request, entries, per_page=ROSTER_PAGE_SIZE)
    link_queries.attach_links(campaign, roster.items)
    context = {
        "section": "campaigns",
        "campaign": campaign,
        "roster": roster,
        "sort": sort,
        "q": search,
        "link_filter": link_filter,
        "link_filters": link_queries.ROSTER_FILTERS,
        **provisioning_context(campaign),
    }
    return render_page_or_partial(
        request, "campaigns/detail.html", "campaigns/htmx/roster.html", context
    )


@workspace_view(role=Role.MANAGER)
def roster_add(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Pick creators not yet on the roster, or paste handles; nothing is added if any is unknown.

    Ticks survive searching and paging: the picker sends the ticked ids along (htmx) and gets
    them back, those not on the page as hidden inputs of the form."""
    campaign = _campaign(request, campaign_id)
    data = request.POST if request.method == "POST" else None
    form = RosterAddForm(data, campaign=campaign)
    if data is not None and _added(request, campaign, form):
        return redirect(_detail_url(request, campaign))
    search = (data.get("match", "") if data else request.GET.get("q", "")).strip()
    picker = paginate(request, queries.creators_not_on(campaign, search), per_page=PICKER_PAGE_SIZE)
    ticked = _ticked_ids(data if data is not None else request.GET)
    context = {
        "section": "campaigns",
        "campaign": campaign,
        "form": form,
        "picker": picker,
        "q": search,
        "search_param": f"{urlencode({'q': search})}&" if search else "",
        "ticked": ticked,
        "kept": sorted(ticked - {str(creator.pk) for creator in picker.items}, key=int),
    }
    return render_page_or_partial(
        request, "campaigns/roster_add.html", "campaigns/htmx/picker.html", context
    )


def _ticked_ids(params: Any) -> set[str]:
    """The creator ids ticked so far (only ids: the form names anything else on submit)."""
    return {value for value in params.getlist("creators") if value.isdigit()}


def _added(request: HttpRequest, campaign: Campaign, form: RosterAddForm) -> bool:
    if not form.is_valid():
        return False
    creators = form.cleaned_data["creators"]
    try:
        added = services.add_creators(campaign, creators, form.cleaned_data["posts_required"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    already = len(creators) - len(added)
    note = f" ({already} already on the roster)" if already else ""
    messages.success(request, f"Added {len(added)} creator{'s' if len(added) != 1 else ''}{note}.")
    return True


@require_POST
@workspace_view()
def roster_remove(request: WorkspaceRequest, campaign_id: int, creator_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    entry = _entry(campaign, creator_id)
    services.remove_creator(campaign, entry.creator)
    if request.htmx:
        return HttpResponse("")  # the row swaps itself out
    messages.success(request, f"Removed @{entry.creator.handle} from the roster.")
    return redirect(_detail_url(request, campaign, request.POST))


@require_POST
@workspace_view()
def roster_override(request: WorkspaceRequest, campaign_id: int, creator_id: int) -> HttpResponse:
    """Set one creator's posts_required (empty: the campaign's). HTMX gets the row back."""
    campaign = _campaign(request, campaign_id)
    entry = _entry(campaign, creator_id)
    error = ""
    try:
        services.set_posts_required_override(entry, request.POST.get("posts_required_override", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        link_queries.attach_links(campaign, [entry])
        context = {"campaign": campaign, "entry": entry, "override_error": error}
        return render(request, "campaigns/htmx/roster_row.html", context)
    if error:
        messages.error(request, f"Posts required for @{entry.creator.handle}: {error}")
    else:
        messages.success(request, f"@{entry.creator.handle} now owes {entry.posts_required} posts.")
    return redirect(_detail_url(request, campaign, request.POST))
