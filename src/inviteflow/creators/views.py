"""Creator roster pages: list and search, add/edit/delete, CSV import with preview.

Every object comes through the tenant helpers; `workspace_view` answers 403 to a viewer's
POST and 404 to anyone outside the workspace. Pages that only exist to change something
(forms, delete confirmation) need the manager role to be seen at all.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import WorkspaceRequest, get_for_workspace, scoped, workspace_view
from inviteflow.accounts.models import Role
from inviteflow.core.forms import saved
from inviteflow.core.htmx import render_page_or_partial
from inviteflow.core.pagination import paginate
from inviteflow.core.sorting import sort_queryset
from inviteflow.creators import services
from inviteflow.creators.csv_import import MAX_BYTES
from inviteflow.creators.export import creators_csv
from inviteflow.creators.forms import CreatorForm, CsvUploadForm
from inviteflow.creators.models import Creator, CsvImport
from inviteflow.creators.queries import (
    deletion_impact,
    imports_in_progress,
    search_creators,
    selected_creators,
    ticked_ids,
)

PREVIEW_LIST_MAX = 1000  # bad rows / duplicates shown on the preview page
SORTABLE = {"name": "name", "handle": "handle", "email": "email", "added": "created_at"}


@workspace_view()
def creator_list(request: WorkspaceRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    ticked = ticked_ids(request.GET.getlist("creators"))
    all_matching = request.GET.get("all_matching") == "1"
    # Sort and page links carry ticks only as the form sends them (no stale ones).
    request.GET = _without_ticks(request.GET)  # type: ignore[assignment]
    creators, sort = sort_queryset(request, search_creators(request.workspace, q), SORTABLE)
    page = paginate(request, creators)
    context = {
        "section": "creators",
        "page": page,
        "q": q,
        "sort": sort,
        "ticked": ticked,  # on any page or search: sent along when the list changes
        "kept": sorted(set(ticked) - {creator.pk for creator in page.items}),
        "all_matching": all_matching,
    }
    if not request.htmx:
        context["imports_in_progress"] = imports_in_progress(request.workspace)
    return render_page_or_partial(
        request, "creators/list.html", "creators/htmx/list_results.html", context
    )


def _without_ticks(params: QueryDict) -> QueryDict:
    """The list's parameters for its sort and page links: an unticked box stays unticked."""
    kept = params.copy()
    for name in ("creators", "all_matching"):
        kept.pop(name, None)
    return kept


@require_POST
@workspace_view(write_role=Role.VIEWER)  # reading, not changing: whoever sees the list
def creator_export(request: WorkspaceRequest) -> HttpResponse:
    """The selected creators (ticked on any page, or all matching the search) as CSV."""
    creators = selected_creators(
        request.workspace,
        ticked_ids(request.POST.getlist("creators")),
        all_matching=request.POST.get("all_matching") == "1",
        q=request.POST.get("q", "").strip(),
    )
    response = HttpResponse(creators_csv(creators), content_type="text/csv; charset=utf-8")
    filename = f"creators-{request.workspace.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view(role=Role.MANAGER)
def creator_add(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CreatorForm(request.POST or None)
    if saved(form, lambda data: services.create_creator(workspace, **data)):
        messages.success(request, f"{form.cleaned_data['name']} added.")
        return redirect("creator_list", slug=workspace.slug)
    return _render_form(request, form, creator=None)


@workspace_view(role=Role.MANAGER)
def creator_edit(request: WorkspaceRequest, creator_id: int) -> HttpResponse:
    creator = get_for_workspace(Creator, request.workspace, pk=creator_id)
    initial = {name: getattr(creator, name) for name in services.EDITABLE_FIELDS}
    form = CreatorForm(request.POST or None, initial=initial)
    if saved(form, lambda data: services.update_creator(creator, **data)):
        messages.success(request, f"{creator.name} saved.")
        return redirect("creator_list", slug=creator.workspace.slug)
    return _render_form(request, form, creator=creator)


def _render_form(request: HttpRequest, form: CreatorForm, creator: Creator | None) -> HttpResponse:
    context = {"section": "creators", "form": form, "creator": creator}
    return render(request, "creators/form.html", context)


@workspace_view(role=Role.MANAGER)
def creator_delete(request: WorkspaceRequest, creator_id: int) -> HttpResponse:
    creator = get_for_workspace(Creator, request.workspace, pk=creator_id)
    if request.method != "POST":
        context = {"section": "creators", "creator": creator, "impact": deletion_impact(creator)}
        return render(request, "creators/delete.html", context)
    services.delete_creator(creator)
    messages.success(
        request, f"{creator.name} (@{creator.handle}) deleted; their invite links are retired."
    )
    return redirect("creator_list", slug=creator.workspace.slug)


@workspace_view(role=Role.MANAGER)
def import_upload(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            csv_import = services.preview_import(
                workspace,
                upload.read(MAX_BYTES + 1),
                upload.name,
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("creator_import", slug=workspace.slug, import_id=csv_import.pk)
    recent = scoped(CsvImport, workspace).defer("rows", "errors", "duplicates")[:10]
    context = {
        "section": "creators",
        "form": form,
        "recent_imports": recent,
        "imports_in_progress": imports_in_progress(workspace),
    }
    return render(request, "creators/import_upload.html", context)


@workspace_view()
def import_detail(request: WorkspaceRequest, import_id: int) -> HttpResponse:
    """The preview while it waits for confirmation, then progress (polled by HTMX) and outcome."""
    csv_import = get_for_workspace(CsvImport, request.workspace, pk=import_id)
    context = {
        "section": "creators",
        "csv_import": csv_import,
        "list_max": PREVIEW_LIST_MAX,
        "errors": csv_import.errors[:PREVIEW_LIST_MAX],
        "bad_rows": len({error["line"] for error in csv_import.errors}),
        "duplicates": csv_import.duplicates[:PREVIEW_LIST_MAX],
        "shared_emails": [row for row in csv_import.rows if row.get("email_warning")],
        "sample_rows": csv_import.rows[:20],
    }
    return render_page_or_partial(
        request, "creators/import.html", "creators/htmx/import_progress.html", context
    )


@require_POST
@workspace_view()
def import_confirm(request: WorkspaceRequest, import_id: int) -> HttpResponse:
    csv_import = get_for_workspace(CsvImport, request.workspace, pk=import_id)
    services.confirm_import(csv_import)
    return redirect("creator_import", slug=csv_import.workspace.slug, import_id=csv_import.pk)
