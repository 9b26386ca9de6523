"""Settings → Webhooks: endpoints, their delivery log, and the actions on them.

Owners and managers only (a viewer gets 403); another workspace's endpoint is a 404. The
secret is shown once, on the page the create (or a rotation) redirects to.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from inviteflow.accounts.access import WorkspaceRequest, get_for_workspace, scoped, workspace_view
from inviteflow.accounts.models import Role
from inviteflow.core.forms import saved
from inviteflow.core.pagination import paginate
from inviteflow.integrations import outbox, services
from inviteflow.integrations.forms import EndpointForm, EndpointSettingsForm
from inviteflow.integrations.models import Delivery, Endpoint

NEW_SECRET = "webhook-secret"
managers_only = workspace_view(role=Role.MANAGER, write_role=Role.MANAGER)


def _keep_secret(request: WorkspaceRequest, endpoint: Endpoint, secret: str) -> None:
    request.session[f"{NEW_SECRET}:{endpoint.pk}"] = secret


def _pop_secret(request: WorkspaceRequest, endpoint: Endpoint) -> str | None:
    return request.session.pop(f"{NEW_SECRET}:{endpoint.pk}", None)


def _endpoint(request: WorkspaceRequest, endpoint_id: int) -> Endpoint:
    return get_for_workspace(Endpoint, request.workspace, pk=endpoint_id)


def _to_endpoint(endpoint: Endpoint) -> HttpResponse:
    return redirect("webhook_endpoint", slug=endpoint.workspace.slug, endpoint_id=endpoint.pk)


@managers_only
def endpoint_list(request: WorkspaceRequest) -> HttpResponse:
    endpoints = scoped(Endpoint, request.workspace)
    return render(
        request, "integrations/endpoints.html", {"section": "settings", "endpoints": endpoints}
    )


@managers_only
def endpoint_create(request: WorkspaceRequest) -> HttpResponse:
    form = EndpointForm(request.POST if request.method == "POST" else None)
    created = saved(
        form,
        lambda data: services.create_endpoint(
            request.workspace,
            data["url"],
            data["events"],
            data["description"],
            data["kind"] or Endpoint.Kind.WEBHOOK,
        ),
    )
    if created is None:
        return render(
            request, "integrations/endpoint_new.html", {"section": "settings", "form": form}
        )
    endpoint, secret = created
    if not endpoint.is_slack:  # Slack messages are not signed: no secret to show
        _keep_secret(request, endpoint, secret)
    return _to_endpoint(endpoint)


@managers_only
def endpoint_detail(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = EndpointSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "kind": endpoint.kind,
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
        },
    )
    if saved(form, lambda data: services.update_endpoint(endpoint, **data)):
        messages.success(request, "Endpoint saved.")
        return _to_endpoint(endpoint)
    deliveries = endpoint.deliveries.select_related("event")
    context = {
        "section": "settings",
        "endpoint": endpoint,
        "form": form,
        "secret": _pop_secret(request, endpoint),
        "page": paginate(request, deliveries),
    }
    return render(request, "integrations/endpoint.html", context)


@require_POST
@managers_only
def endpoint_pause(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = services.update_endpoint(_endpoint(request, endpoint_id), active=False)
    messages.success(request, "Endpoint paused: no events are sent to it until you resume it.")
    return _to_endpoint(endpoint)


@require_POST
@managers_only
def endpoint_resume(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = services.update_endpoint(_endpoint(request, endpoint_id), active=True)
    messages.success(request, "Endpoint resumed.")
    return _to_endpoint(endpoint)


@require_POST
@managers_only
def endpoint_rotate(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    _keep_secret(request, endpoint, services.rotate_secret(endpoint))
    messages.success(request, "New secret made; the old one also signs for the next 24 hours.")
    return _to_endpoint(endpoint)


@require_POST
@managers_only
def endpoint_test(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    outbox.send_test_event(endpoint)
    messages.success(request, "Test event queued: it appears in the delivery log below.")
    return _to_endpoint(endpoint)


@require_POST
@managers_only
def endpoint_delete(request: WorkspaceRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    services.delete_endpoint(endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return redirect("webhook_endpoints", slug=request.workspace.slug)


@require_POST
@managers_only
def delivery_redeliver(
    request: WorkspaceRequest, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    delivery = get_for_workspace(Delivery, request.workspace, pk=delivery_id, endpoint=endpoint)
    outbox.redeliver(delivery)
    messages.success(request, f"Event {delivery.event.public_id} queued again.")
    return _to_endpoint(endpoint)
