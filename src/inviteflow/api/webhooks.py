"""/api/v1/webhook-endpoints: outgoing webhooks. Thin: the rules live in
inviteflow.integrations; endpoints and deliveries come through the tenant helpers (another
workspace's id is a 404). The secret is in the answer to the create (and to a rotation)
only. Sending is in the background: a test event or a redelivery answers 202."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from inviteflow.accounts.access import get_for_workspace, scoped
from inviteflow.api.auth import workspace_of
from inviteflow.api.fields import Id, schema_enum
from inviteflow.api.pagination import PageParams, page_of
from inviteflow.integrations import outbox, services
from inviteflow.integrations.catalog import EVENT_TYPES
from inviteflow.integrations.models import Delivery, Endpoint

router = Router(tags=["webhooks"])

EventType = StrEnum("EventType", [(name.replace(".", "_"), name) for name in EVENT_TYPES])  # type: ignore[misc]
DeliveryStatus = schema_enum("DeliveryStatus", Delivery.Status)
EndpointKind = schema_enum("EndpointKind", Endpoint.Kind)


class EndpointIn(Schema):
    url: str
    events: list[EventType]  # type: ignore[valid-type]
    description: str = ""
    # "slack": Slack messages ({"text": …}) to an https://hooks.slack.com/… URL, unsigned
    kind: EndpointKind = Endpoint.Kind.WEBHOOK  # type: ignore[valid-type]


class EndpointPatch(Schema):
    """Only the fields sent change; `active: false` pauses, `true` resumes."""

    url: str | None = None
    events: list[EventType] | None = None  # type: ignore[valid-type]
    description: str | None = None
    active: bool | None = None


class EndpointOut(Schema):
    id: int
    kind: EndpointKind  # type: ignore[valid-type]
    url: str  # a Slack URL with its key masked
    description: str
    events: list[str]
    active: bool
    paused_reason: str  # why inviteflow paused it (empty when a person did, or it is active)
    failing_since: datetime | None
    consecutive_failures: int
    previous_secret_until: datetime | None  # the rotated-out secret signs too until then
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str  # shown in this answer only


class EndpointPage(Schema):
    items: list[EndpointOut]
    count: int


class RotateIn(Schema):
    overlap_hours: int = services.DEFAULT_OVERLAP_HOURS


class SecretOut(Schema):
    id: int
    secret: str  # shown in this answer only
    previous_secret_until: datetime | None


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: DeliveryStatus  # type: ignore[valid-type]
    attempts: int
    response_status: int | None  # the receiver's HTTP status at the last attempt
    response_excerpt: str  # the start of its answer (500 characters at most)
    error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @staticmethod
    def resolve_event_id(delivery: Delivery) -> str:
        return delivery.event.public_id

    @staticmethod
    def resolve_event_type(delivery: Delivery) -> str:
        return delivery.event.type


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    count: int


def _endpoint(request: HttpRequest, endpoint_id: int) -> Endpoint:
    return get_for_workspace(Endpoint, workspace_of(request), pk=endpoint_id)


def _values(events: list[Any] | None) -> list[str] | None:
    return None if events is None else [str(event.value) for event in events]


@router.get("", response=EndpointPage, summary="List webhook endpoints")
def list_endpoints(request: HttpRequest, page: Query[PageParams]) -> dict:
    return page_of(scoped(Endpoint, workspace_of(request)), page)


@router.post("", response={201: EndpointCreated}, summary="Add a webhook endpoint")
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[Endpoint]:
    """The answer carries the signing `secret`, the only time it is shown. A private or
    loopback `url` is refused (422) unless OUTGOING_WEBHOOKS_ALLOWED_HOSTS allows it."""
    endpoint, secret = services.create_endpoint(
        workspace_of(request),
        payload.url,
        _values(payload.events),
        payload.description,
        str(payload.kind),
    )
    endpoint.secret = secret
    return Status(201, endpoint)


@router.get("/{endpoint_id}", response=EndpointOut, summary="One webhook endpoint")
def get_endpoint(request: HttpRequest, endpoint_id: Id) -> Endpoint:
    return _endpoint(request, endpoint_id)


@router.patch("/{endpoint_id}", response=EndpointOut, summary="Change, pause or resume an endpoint")
def update_endpoint(request: HttpRequest, endpoint_id: Id, payload: EndpointPatch) -> Endpoint:
    changes = payload.dict(exclude_unset=True)
    if "events" in changes:
        changes["events"] = _values(payload.events)
    return services.update_endpoint(_endpoint(request, endpoint_id), **changes)


@router.delete("/{endpoint_id}", response={204: None}, summary="Delete a webhook endpoint")
def delete_endpoint(request: HttpRequest, endpoint_id: Id) -> Status[None]:
    services.delete_endpoint(_endpoint(request, endpoint_id))
    return Status(204, None)


@router.post(
    "/{endpoint_id}/rotate-secret", response=SecretOut, summary="Rotate an endpoint's secret"
)
def rotate_secret(request: HttpRequest, endpoint_id: Id, payload: RotateIn) -> dict:
    """A new secret, shown in this answer only. For `overlap_hours` (default 24, at most
    168) the old secret signs too: the header carries a `v1=` for each."""
    endpoint = _endpoint(request, endpoint_id)
    secret = services.rotate_secret(endpoint, payload.overlap_hours)
    endpoint.refresh_from_db()
    return {
        "id": endpoint.pk,
        "secret": secret,
        "previous_secret_until": endpoint.previous_secret_until,
    }


@router.post(
    "/{endpoint_id}/test", response={202: DeliveryOut}, summary="Send a test event (webhook.test)"
)
def send_test_event(request: HttpRequest, endpoint_id: Id) -> Status[Delivery]:
    return Status(202, outbox.send_test_event(_endpoint(request, endpoint_id)))


@router.get(
    "/{endpoint_id}/deliveries", response=DeliveryPage, summary="An endpoint's delivery log"
)
def list_deliveries(request: HttpRequest, endpoint_id: Id, page: Query[PageParams]) -> dict:
    endpoint = _endpoint(request, endpoint_id)
    return page_of(endpoint.deliveries.select_related("event"), page)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    summary="Send a delivery's event again",
)
def redeliver(request: HttpRequest, endpoint_id: Id, delivery_id: Id) -> Status[Delivery]:
    """A new delivery of the same event (same id and body) to the same endpoint."""
    endpoint = _endpoint(request, endpoint_id)
    delivery = get_for_workspace(Delivery, endpoint.workspace, pk=delivery_id, endpoint=endpoint)
    return Status(202, outbox.redeliver(delivery))
