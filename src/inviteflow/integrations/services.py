"""Webhook endpoints of a workspace: create, change, pause and resume, rotate the secret,
delete. Bad input raises ValidationError naming the field, and changes nothing."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inviteflow import outbound
from inviteflow.accounts.models import Workspace
from inviteflow.integrations.catalog import EVENT_TYPES
from inviteflow.integrations.models import Endpoint, new_secret

MAX_URL = 500
MAX_DESCRIPTION = 200
MAX_OVERLAP_HOURS = 7 * 24
DEFAULT_OVERLAP_HOURS = 24


def allowlist() -> outbound.Allowlist:
    return outbound.Allowlist.parse(settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS)


def clean_url(value: Any) -> str:
    url = str(value or "").strip()
    if not url:
        raise ValidationError({"url": "required: the https:// address to send events to"})
    if len(url) > MAX_URL:
        raise ValidationError({"url": f"at most {MAX_URL} characters"})
    try:
        outbound.check_destination(url, allowlist())
    except outbound.DestinationRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def clean_events(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError({"events": "required: a list of event types, at least one"})
    unknown = [str(name) for name in value if name not in EVENT_TYPES]
    if unknown:
        known = ", ".join(EVENT_TYPES)
        raise ValidationError({"events": f"unknown event type {unknown[0]!r}; known: {known}"})
    return [name for name in EVENT_TYPES if name in value]  # catalogue order, each once


def clean_description(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError({"description": f"at most {MAX_DESCRIPTION} characters"})
    return text


def create_endpoint(
    workspace: Workspace, url: Any, events: Any, description: Any = ""
) -> tuple[Endpoint, str]:
    """The new endpoint and its secret (the only time it is shown)."""
    secret = new_secret()
    endpoint = Endpoint.objects.create(
        workspace=workspace,
        url=clean_url(url),
        events=clean_events(events),
        description=clean_description(description),
        secret=secret,
    )
    return endpoint, secret


def update_endpoint(endpoint: Endpoint, **changes: Any) -> Endpoint:
    """Change `url`, `events`, `description` and/or `active` (resuming clears the failures)."""
    cleaners = {"url": clean_url, "events": clean_events, "description": clean_description}
    cleaned = {
        field: cleaners[field](value) for field, value in changes.items() if field in cleaners
    }
    if "active" in changes:
        cleaned.update(_activity(endpoint, changes["active"]))
    for field, value in cleaned.items():
        setattr(endpoint, field, value)
    # Only these columns: a worker may be recording a failure on the same row meanwhile.
    endpoint.save(update_fields=[*cleaned, "updated_at"])
    return endpoint


def _activity(endpoint: Endpoint, active: Any) -> dict[str, Any]:
    if not isinstance(active, bool):
        raise ValidationError({"active": "must be true or false"})
    if active and not endpoint.active:  # resumed: the past failures no longer count
        return {
            "active": True,
            "paused_reason": "",
            "failing_since": None,
            "consecutive_failures": 0,
        }
    return {"active": active}


def rotate_secret(endpoint: Endpoint, overlap_hours: Any = DEFAULT_OVERLAP_HOURS) -> str:
    """A new secret; the old one keeps signing (alongside) for `overlap_hours`."""
    hours = _overlap(overlap_hours)
    secret = new_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret if hours else ""
        endpoint.previous_secret_until = timezone.now() + timedelta(hours=hours) if hours else None
        endpoint.secret = secret
        endpoint.save()
    return secret


def _overlap(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_OVERLAP_HOURS:
        raise ValidationError(
            {"overlap_hours": f"a whole number of hours from 0 to {MAX_OVERLAP_HOURS}"}
        )
    return value


def delete_endpoint(endpoint: Endpoint) -> None:
    endpoint.delete()


def subscribed(workspace_ids: Iterable[int], event_type: str) -> list[Endpoint]:
    """Active endpoints of these workspaces that receive `event_type`."""
    endpoints = Endpoint.objects.filter(workspace_id__in=list(workspace_ids), active=True)
    return [e for e in endpoints.select_related("workspace") if event_type in e.events]
