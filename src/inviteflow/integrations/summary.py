"""The daily summary (`summary.daily`): a workspace's campaigns in flight, posts at risk,
failed links and emails, and views to date, as the overview page computes them.

Recorded once per workspace per UTC day (a DailySummary row claims the day in the same
transaction as the event), for the active endpoints that picked it, and sent through the
outbox like any event. A workspace with nothing in flight still gets a short summary saying
so, so a quiet channel is known to be connected.
"""

from datetime import UTC, date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from inviteflow.integrations import outbox, services
from inviteflow.integrations.models import DailySummary, Endpoint
from inviteflow.integrations.summary_figures import EVENT_TYPE, summary_data


def send_daily_summaries(now: datetime | None = None) -> int:
    """Record today's summary for each workspace with an active endpoint that picked it and no
    summary yet today (UTC). Safe to run twice or at once: the day is claimed by a unique row.
    The number of workspaces summarised."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    by_workspace: dict[int, list[Endpoint]] = {}
    for endpoint in _subscribed():
        by_workspace.setdefault(endpoint.workspace_id, []).append(endpoint)
    done = set(
        DailySummary.objects.filter(workspace_id__in=list(by_workspace), day=today).values_list(
            "workspace_id", flat=True
        )
    )
    sent = 0
    for workspace_id, endpoints in by_workspace.items():
        if workspace_id not in done and _send(endpoints, today, now):
            sent += 1
    return sent


def _subscribed() -> list[Endpoint]:
    workspaces = Endpoint.objects.filter(active=True).values_list("workspace_id", flat=True)
    return services.subscribed(set(workspaces), EVENT_TYPE)


def _send(endpoints: list[Endpoint], today: date, now: datetime) -> bool:
    workspace = endpoints[0].workspace
    try:
        with transaction.atomic():
            claim = DailySummary.objects.create(workspace=workspace, day=today, created_at=now)
            [first, *_] = outbox.record(endpoints, EVENT_TYPE, summary_data(workspace, now))
            claim.event = first.event
            claim.save(update_fields=["event"])
    except IntegrityError:  # another run claimed today first
        return False
    return True
