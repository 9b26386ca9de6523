"""Webhook endpoints of a workspace: create, change, pause and resume, rotate the secret,
delete. Bad input raises ValidationError naming the field, and changes nothing."""

from collections.abc import Iterable
from datetime import timedelta
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inviteflow import outbound
from inviteflow.accounts.models import Workspace
from inviteflow.integrations.catalog import EVENT_TYPES
from inviteflow.integrations.models import Endpoint, new_secret

Kind = Endpoint.Kind
SLACK_HOST = "hooks.slack.com"

MAX_URL = 500
MAX_DESCRIPTION = 200
MAX_OVERLAP_HOURS = 7 * 24
DEFAULT_OVERLAP_HOURS = 24


def allowlist() -> outbound.Allowlist:
    return outbound.Allowlist.parse(settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS)


def clean_url(value: Any, kind: str = Kind.WEBHOOK) -> str:
    url = str(value or "").strip()
    if not url:
        raise ValidationError({"url": "required: the https:// address to send events to"})
    if len(url) > MAX_URL:
        raise ValidationError({"url": f"at most {MAX_URL} characters"})
    if kind == Kind.SLACK:
        _check_slack_host(url)
    try:
        outbound.check_destination(url, allowlist())
    except outbound.DestinationRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def _check_slack_host(url: str) -> None:
    """A Slack endpoint posts to Slack: https://hooks.slack.com/…, or a host the operator
    allowed by setting (a relay, a test receiver)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if (parts.scheme, host) == ("https", SLACK_HOST) or _operator_allows(host):
        return
    raise ValidationError(
        {
            "url": f"a Slack incoming-webhook URL starts with https://{SLACK_HOST}/; an "
            "operator can allow other hosts with OUTGOING_WEBHOOKS_ALLOWED_HOSTS"
        }
    )


def _operator_allows(host: str) -> bool:
    allowed = allowlist()
    if host in allowed.names:
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in allowed.networks)


def masked(url: str) -> str:
    """A Slack URL as shown: its last path segment (the key) hidden."""
    head, _, key = url.rstrip("/").rpartition("/")
    return f"{head}/{key[:2]}…" if "://" in head else url


def clean_kind(value: Any) -> str:
    if value not in Kind.values:
        raise ValidationError({"kind": f"one of {', '.join(Kind.values)}"})
    return str(value)


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
    workspace: Workspace, url: Any, events: Any, description: Any = "", kind: Any = Kind.WEBHOOK
) -> tuple[Endpoint, str]:
    """The new endpoint and its secret (the only time it is shown). A Slack endpoint gets
    Slack messages (`{"text": …}`) instead of signed events; its URL is kept encrypted."""
    kind = clean_kind(kind)
    secret = new_secret()
    endpoint = Endpoint(
        workspace=workspace,
        kind=kind,
        events=clean_events(events),
        description=clean_description(description),
        secret=secret,
    )
    _set_url(endpoint, clean_url(url, kind))
    endpoint.save()
    return endpoint, secret


def _set_url(endpoint: Endpoint, url: str) -> list[str]:
    """The columns changed: a Slack URL is stored encrypted and shown masked."""
    if not endpoint.is_slack:
        endpoint.url = url
        return ["url"]
    endpoint.url, endpoint.slack_url = masked(url), url
    return ["url", "slack_url"]


def update_endpoint(endpoint: Endpoint, **changes: Any) -> Endpoint:
    """Change `url`, `events`, `description` and/or `active` (resuming clears the failures)."""
    cleaners = {"events": clean_events, "description": clean_description}
    cleaned = {
        field: cleaners[field](value) for field, value in changes.items() if field in cleaners
    }
    url = _new_url(endpoint, changes)
    if "active" in changes:
        cleaned.update(_activity(endpoint, changes["active"]))
    for field, value in cleaned.items():
        setattr(endpoint, field, value)
    columns = _set_url(endpoint, url) if url is not None else []
    # Only these columns: a worker may be recording a failure on the same row meanwhile.
    endpoint.save(update_fields=[*cleaned, *columns, "updated_at"])
    return endpoint


def _new_url(endpoint: Endpoint, changes: dict[str, Any]) -> str | None:
    """The cleaned new URL, if one is given (a Slack URL given back masked is unchanged)."""
    if "url" not in changes or (endpoint.is_slack and changes["url"] == endpoint.url):
        return None
    return clean_url(changes["url"], endpoint.kind)


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
