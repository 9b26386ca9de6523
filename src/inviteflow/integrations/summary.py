"""The daily summary (`summary.daily`): a workspace's campaigns in flight, posts at risk,
failed links and emails, and views to date, as the overview page computes them.

Recorded once per workspace per UTC day (a DailySummary row claims the day in the same
transaction as the event), for the active endpoints that picked it, and sent through the
outbox like any event. A workspace with nothing in flight still gets a short summary saying
so, so a quiet channel is known to be connected.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.integrations import outbox, services
from inviteflow.integrations.models import DailySummary, Endpoint
from inviteflow.overview import queries

EVENT_TYPE = "summary.daily"
EMAILS_WINDOW = timedelta(hours=24)


def summary_data(workspace: Workspace, now: datetime | None = None) -> dict[str, Any]:
    """The figures, from the overview's queries (campaigns and posts at risk capped as there)."""
    now = now or timezone.now()
    in_flight = queries.campaigns_in_flight(workspace)
    campaigns: list[Any] = list(in_flight[: queries.CAMPAIGN_ROWS])
    reach = queries.reach_by_campaign(workspace, campaigns)
    at_risk = queries.at_risk_posts(workspace)
    capped = len(campaigns) == queries.CAMPAIGN_ROWS
    return {
        "day": now.astimezone(UTC).date().isoformat(),
        "campaigns_in_flight": in_flight.count() if capped else len(campaigns),
        "campaigns": [
            {
                "id": c.pk,
                "name": c.name,
                "status": c.status,
                "ends_on": c.ends_on.isoformat() if c.ends_on else None,
                "posts_delivered": c.delivered,
                "posts_required": c.required,
                "posts_at_risk": c.at_risk,
                "links_failed": c.links_failed,
                "views": reach[c.pk].views,
            }
            for c in campaigns
        ],
        "posts_at_risk_count": at_risk.count(),
        "posts_at_risk": [_at_risk(post, now) for post in at_risk[: queries.AT_RISK_ROWS]],
        "links_failed": sum(c.links_failed for c in campaigns),
        "emails_failed_24h": queries.failed_emails(workspace, since=now - EMAILS_WINDOW),
        "views": sum(r.views for r in reach.values()),
    }


def _at_risk(post: Any, now: datetime) -> dict[str, Any]:
    finding = getattr(post, "finding", None)
    takedown = finding.takedown_at if finding else None
    return {
        "id": post.pk,
        "campaign_id": post.campaign_id,
        "creator_id": post.creator_id,
        "creator": post.creator.handle,
        "video_id": post.video_id,
        "takedown_at": takedown.isoformat() if takedown else None,
        "seconds_left": max(0, int((takedown - now).total_seconds())) if takedown else None,
    }


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
