"""Outreach pages: email templates (list, edit with the catalogue, preview), the Send page
of a campaign, batch progress, the Outbox, and the staff side of each creator's page.

Every object comes through the tenant helpers (another workspace's id is a 404);
`workspace_view` answers 403 to a viewer's POST, and pages that only exist to change
something need the manager role to be seen at all.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import WorkspaceRequest, get_for_workspace, scoped, workspace_view
from inviteflow.accounts.models import Role
from inviteflow.campaigns.models import Campaign
from inviteflow.core.forms import saved
from inviteflow.core.htmx import render_page_or_partial
from inviteflow.core.pagination import paginate
from inviteflow.core.policy import shows_email_html
from inviteflow.creators.models import Creator
from inviteflow.creators.queries import selected_creators, ticked_ids
from inviteflow.outreach import queries, services
from inviteflow.outreach.forms import SendForm, TemplateForm
from inviteflow.outreach.models import EmailTemplate, OutboxMessage, OutreachBatch
from inviteflow.outreach.placeholders import CATALOGUE

SECTION = "outreach"
PICKER_MAX = 200  # creators listed for hand-picking; search narrows the list
PLAN_LIST_MAX = 100
PRESELECTED_KEY = "outreach.preselected"  # the session's "Email selected" choice


# --- Outbox -------------------------------------------------------------------------------------


@workspace_view()
def outbox(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    campaign_id = queries.as_ids([request.GET.get("campaign", "")])
    status = request.GET.get("status", "")
    found = queries.outbox_of(workspace, campaign_id[0] if campaign_id else None, status)
    context = {
        "section": SECTION,
        "page": paginate(request, found),
        "status": status,
        "campaign_id": campaign_id[0] if campaign_id else None,
        "campaigns": scoped(Campaign, workspace),
        "statuses": queries.PUBLIC_STATUSES,
    }
    if not request.htmx:
        context["batches_in_progress"] = queries.batches_in_progress(workspace)
    return render_page_or_partial(
        request, "outreach/outbox.html", "outreach/htmx/outbox_rows.html", context
    )


@shows_email_html
@workspace_view()
def outbox_message(request: WorkspaceRequest, message_id: int) -> HttpResponse:
    message = get_for_workspace(
        OutboxMessage.objects.select_related("campaign", "creator", "batch"),
        request.workspace,
        pk=message_id,
    )
    return render(request, "outreach/message.html", {"section": SECTION, "message": message})


@require_POST
@workspace_view()
def message_resend(request: WorkspaceRequest, message_id: int) -> HttpResponse:
    message = get_for_workspace(OutboxMessage, request.workspace, pk=message_id)
    if services.resend_message(message):
        messages.success(request, f"Queued again for {message.to_email}.")
    else:
        messages.info(request, "Only a failed outreach email can be resent.")
    return redirect("outbox_message", slug=request.workspace.slug, message_id=message.pk)


# --- templates ----------------------------------------------------------------------------------


@workspace_view()
def template_list(request: WorkspaceRequest) -> HttpResponse:
    services.ensure_default_templates(request.workspace)
    templates = queries.templates_of(request.workspace)
    return render(request, "outreach/templates.html", {"section": SECTION, "templates": templates})


@workspace_view(role=Role.MANAGER)
def template_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = TemplateForm(request.POST or None, workspace=workspace)
    template = saved(form, lambda data: services.create_template(workspace, **data))
    if template is not None:
        messages.success(request, f"Template “{template.name}” saved.")
        return redirect("email_template_edit", slug=workspace.slug, template_id=template.pk)
    return _template_form(request, form, None)


@workspace_view(role=Role.MANAGER)
def template_edit(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    workspace = request.workspace
    template = get_for_workspace(EmailTemplate, workspace, pk=template_id)
    initial = {
        name: getattr(template, name)
        for name in ("name", "campaign", "subject", "body", "html_body")
    }
    form = TemplateForm(request.POST or None, workspace=workspace, initial=initial)
    if saved(form, lambda data: services.update_template(template, **data)) is not None:
        messages.success(request, f"Template “{template.name}” saved.")
        return redirect("email_template_edit", slug=workspace.slug, template_id=template.pk)
    return _template_form(request, form, template)


def _template_form(
    request: HttpRequest, form: TemplateForm, template: EmailTemplate | None
) -> HttpResponse:
    context = {"section": SECTION, "form": form, "template": template, "catalogue": CATALOGUE}
    return render(request, "outreach/template_form.html", context)


@shows_email_html
@workspace_view()
def template_preview(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    """The template for one creator of a chosen campaign (catalogue examples without one)."""
    workspace = request.workspace
    template = get_for_workspace(EmailTemplate, workspace, pk=template_id)
    campaign = _chosen_campaign(request, template)
    roster = list(queries.roster_creators(campaign)[:PICKER_MAX]) if campaign else []
    creator = _chosen_creator(request, campaign, roster)
    context = {
        "section": SECTION,
        "template": template,
        "campaign": campaign,
        "creator": creator,
        "campaigns": scoped(Campaign, workspace),
        "roster": roster,
        "preview": services.preview(template, campaign, creator),
    }
    return render_page_or_partial(
        request, "outreach/template_preview.html", "outreach/htmx/preview.html", context
    )


def _chosen_campaign(request: WorkspaceRequest, template: EmailTemplate) -> Campaign | None:
    campaign_id = request.GET.get("campaign") or template.campaign_id
    if not campaign_id:
        return None
    return get_for_workspace(Campaign, request.workspace, pk=campaign_id)


def _chosen_creator(
    request: HttpRequest, campaign: Campaign | None, roster: list[Creator]
) -> Creator | None:
    if campaign is None:
        return None
    creator_id = request.GET.get("creator")
    if creator_id and any(str(c.pk) == creator_id for c in roster):
        return next(c for c in roster if str(c.pk) == creator_id)
    if creator_id:
        return get_object_or_404(queries.roster_creators(campaign), pk=creator_id)
    return roster[0] if roster else None


# --- sending ------------------------------------------------------------------------------------


@workspace_view(role=Role.MANAGER)
def send(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Choose a template and creators, see who would be blocked and why, then send."""
    campaign = get_for_workspace(Campaign, request.workspace, pk=campaign_id)
    services.ensure_default_templates(campaign.workspace)
    templates = queries.templates_for(campaign)
    data = _send_data(request)
    invite = queries.invite_template(templates)
    preselected = _preselected(request, campaign) if data is None else []
    initial = {"who": "picked" if preselected else "all", "template": invite.pk if invite else None}
    form = SendForm(data, templates=templates, initial=initial)
    picked = queries.as_ids(data.getlist("creators")) if data is not None else preselected
    if request.method == "POST" and form.is_valid():
        return _send_now(request, campaign, form, picked)
    plan = _plan(campaign, form, picked) if data is not None and form.is_valid() else None
    context = _send_context(request, campaign, form, picked, plan)
    context["kept"] = sorted(set(picked) - {creator.pk for creator in context["picker"]})
    if not request.htmx:
        context["batches_in_progress"] = queries.batches_in_progress(request.workspace, campaign)
    return render_page_or_partial(request, "outreach/send.html", "outreach/htmx/plan.html", context)


def _preselected(request: HttpRequest, campaign: Campaign) -> list[int]:
    """Creators chosen on the Creators list for this campaign ("Email selected"), when the
    Send page was opened from there."""
    saved_selection = request.session.get(PRESELECTED_KEY) or {}
    if request.GET.get("selected") != "1" or saved_selection.get("campaign") != campaign.pk:
        return []
    return queries.as_ids(saved_selection.get("creators", []))


@workspace_view(role=Role.MANAGER)
def email_selected(request: WorkspaceRequest) -> HttpResponse:
    """The Creators list's "Email selected": pick the campaign whose email it is (its links
    and placeholders), then its Send page opens with those of them on its roster ticked."""
    data = request.POST if request.method == "POST" else request.GET
    ticked, all_matching = ticked_ids(data.getlist("creators")), data.get("all_matching") == "1"
    q = data.get("q", "").strip()
    creators = selected_creators(request.workspace, ticked, all_matching, q)
    total = creators.count()
    if not total:
        messages.error(request, "Tick creators in the list (or “All matching”) first.")
        return redirect("creator_list", slug=request.workspace.slug)
    campaign_id = queries.as_ids([data.get("campaign", "")])
    if campaign_id:
        campaign = get_for_workspace(Campaign, request.workspace, pk=campaign_id[0])
        return _to_send_page(request, campaign, creators, total)
    context = {
        "section": SECTION,
        "total": total,
        "campaigns": queries.campaigns_with_selected(request.workspace, creators),
        "ticked": ticked,
        "all_matching": all_matching,
        "q": q,
    }
    return render(request, "outreach/email_selected.html", context)


def _to_send_page(
    request: WorkspaceRequest, campaign: Campaign, creators: Any, total: int
) -> HttpResponse:
    on_roster = list(queries.roster_creators(campaign).filter(pk__in=creators.values("pk")))
    ids = [creator.pk for creator in on_roster]
    request.session[PRESELECTED_KEY] = {"campaign": campaign.pk, "creators": ids}
    if len(ids) < total:
        left_out = total - len(ids)
        messages.warning(
            request,
            f"{left_out} of the {total} selected creators {'is' if left_out == 1 else 'are'} "
            f"not on “{campaign.name}” and will not get its email.",
        )
    url = reverse("outreach_send", args=[request.workspace.slug, campaign.pk])
    return redirect(f"{url}?selected=1")


def _send_data(request: HttpRequest) -> QueryDict | None:
    """POST to send; GET with a template to check; a fresh token for "Send again"."""
    source = request.POST if request.method == "POST" else request.GET
    if request.method != "POST" and "template" not in source:
        return None
    data = source.copy()
    if not data.get("token"):
        data["token"] = services.new_send_again_token()
    return data


def _send_again_token(form: SendForm) -> str:
    return form.cleaned_data["token"] if form.cleaned_data["send_again"] else ""


def _chosen(
    campaign: Campaign, form: SendForm, picked: list[int]
) -> tuple[EmailTemplate, list[Creator]]:
    template_id = form.cleaned_data["template"]
    template = get_for_workspace(EmailTemplate, campaign.workspace, pk=template_id)
    return template, queries.chosen_creators(campaign, form.cleaned_data["who"], picked)


def _plan(campaign: Campaign, form: SendForm, picked: list[int]) -> services.Plan:
    template, creators = _chosen(campaign, form, picked)
    return services.plan_outreach(campaign, template, creators, _send_again_token(form))


def _send_now(
    request: WorkspaceRequest, campaign: Campaign, form: SendForm, picked: list[int]
) -> HttpResponse:
    template, creators = _chosen(campaign, form, picked)
    batch = services.send_outreach(
        campaign,
        template,
        creators,
        created_by=request.user,
        send_again_token=_send_again_token(form),
    )
    messages.success(request, f"{batch.queued} email{'s' if batch.queued != 1 else ''} queued.")
    return redirect("outreach_batch", slug=campaign.workspace.slug, batch_id=batch.pk)


def _send_context(
    request: HttpRequest,
    campaign: Campaign,
    form: SendForm,
    picked: list[int],
    plan: services.Plan | None,
) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()
    return {
        "section": SECTION,
        "campaign": campaign,
        "form": form,
        "plan": plan,
        "q": search,
        "picker": queries.roster_creators(campaign, search)[:PICKER_MAX],
        "picked": set(picked),
        "list_max": PLAN_LIST_MAX,
        "batches": queries.batches_of(campaign)[:10],
    }


@workspace_view()
def batch_detail(request: WorkspaceRequest, batch_id: int) -> HttpResponse:
    """Progress (polled by HTMX while sending), then the outcome and any failures."""
    batch = get_for_workspace(
        OutreachBatch.objects.select_related("campaign", "created_by"),
        request.workspace,
        pk=batch_id,
    )
    failed = batch.messages.filter(status=OutboxMessage.Status.FAILED).select_related("creator")
    context = {
        "section": SECTION,
        "batch": batch,
        "progress": queries.progress_of(batch),
        "failed": failed[:PLAN_LIST_MAX],
    }
    return render_page_or_partial(
        request, "outreach/batch.html", "outreach/htmx/batch_progress.html", context
    )


@require_POST
@workspace_view()
def batch_resend(request: WorkspaceRequest, batch_id: int) -> HttpResponse:
    batch = get_for_workspace(OutreachBatch, request.workspace, pk=batch_id)
    count = services.resend_failed(batch)
    messages.success(request, f"{count} failed email{'s' if count != 1 else ''} queued again.")
    return redirect("outreach_batch", slug=batch.workspace.slug, batch_id=batch.pk)


# --- the staff side of a creator's page ---------------------------------------------------------


@workspace_view()
def creator_page_admin(request: WorkspaceRequest, creator_id: int) -> HttpResponse:
    creator = get_for_workspace(Creator, request.workspace, pk=creator_id)
    page = services.ensure_pages([creator])[creator.pk]
    context = {
        "section": SECTION,
        "creator": creator,
        "page_url": services.page_url(page),
        "page": page,
    }
    return render(request, "outreach/creator_page_admin.html", context)


@require_POST
@workspace_view()
def creator_page_revoke(request: WorkspaceRequest, creator_id: int) -> HttpResponse:
    creator = get_for_workspace(Creator, request.workspace, pk=creator_id)
    services.revoke_page(creator)
    messages.success(request, f"{creator.name}'s page has a new address; the old one is gone.")
    return redirect("creator_page_admin", slug=creator.workspace.slug, creator_id=creator.pk)
