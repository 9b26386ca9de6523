"""The figures of the daily summary (`summary.daily`), from the overview's queries.

Apart from summary.py (which records the day's summary through the outbox) so that the event
catalog can name them without importing the outbox, which imports the catalog.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from inviteflow.accounts.models import Workspace
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
