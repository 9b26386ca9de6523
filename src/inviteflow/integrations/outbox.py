"""The outbox: events recorded in the transaction of the change that caused them, a
Delivery per subscribed endpoint, each sent by a worker once that transaction commits.

A rolled-back change therefore sends nothing, and a committed one is never lost: a
delivery whose task went missing is picked up by the periodic sweep (tasks.py).
"""

import json
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.integrations import catalog, services
from inviteflow.integrations.models import Delivery, Endpoint, Event

DELIVER_WEBHOOK = job("integrations.deliver_webhook")


def emit(event_type: str, *subjects: Model) -> None:
    """Record `event_type` for each subject whose workspace has an endpoint receiving it.
    Connected to inviteflow.core.events in IntegrationsConfig.ready()."""
    kind = catalog.event_type(event_type)
    by_workspace: dict[int, list[Model]] = defaultdict(list)
    for subject in subjects:
        by_workspace[subject.workspace_id].append(subject)  # type: ignore[attr-defined]
    endpoints = services.subscribed(by_workspace, event_type)
    if not endpoints:  # the usual case: one query, nothing written
        return
    with transaction.atomic():
        for row in catalog.current(kind, subjects):
            receivers = [e for e in endpoints if e.workspace_id == row.workspace_id]
            if receivers and kind.holds(row):
                record(receivers, event_type, kind.data(row))


def record(endpoints: list[Endpoint], event_type: str, data: dict[str, Any]) -> list[Delivery]:
    """One event of the endpoints' workspace, and a delivery to each endpoint."""
    workspace = endpoints[0].workspace
    event = Event(workspace=workspace, type=event_type, created_at=timezone.now())
    event.body = json.dumps(
        {
            "id": event.public_id,
            "type": event_type,
            "created": int(event.created_at.timestamp()),
            "workspace": workspace.slug,
            "data": data,
        },
        separators=(",", ":"),
    )
    event.save()
    return [_deliver(event, endpoint) for endpoint in endpoints]


def _deliver(event: Event, endpoint: Endpoint) -> Delivery:
    delivery = Delivery.objects.create(
        workspace_id=endpoint.workspace_id, endpoint=endpoint, event=event
    )
    enqueue_on_commit(DELIVER_WEBHOOK, delivery.pk)
    return delivery


def send_test_event(endpoint: Endpoint) -> Delivery:
    """A `webhook.test` event to this endpoint only, whatever it subscribes to."""
    data = {"endpoint_id": endpoint.pk, "message": "A test event from inviteflow."}
    with transaction.atomic():
        [delivery] = record([endpoint], catalog.TEST_EVENT, data)
    return delivery


def redeliver(delivery: Delivery) -> Delivery:
    """The same event (same id, same body) to the same endpoint again, as a new delivery."""
    with transaction.atomic():
        return _deliver(delivery.event, delivery.endpoint)
