"""What outgoing webhooks keep: events and their delivery log for KEEP_DAYS, and any event
still being delivered (a pending retry keeps its event, whatever its age); the days a daily
summary was sent, for KEEP_DAYS too (only today's matters)."""

from datetime import datetime, timedelta

from inviteflow.core.retention import pruner
from inviteflow.integrations.models import DailySummary, Delivery, Event

KEEP_DAYS = 30


@pruner("integrations.webhook_events", Event)
def prune_old_events(now: datetime) -> int:
    old = Event.objects.filter(created_at__lt=now - timedelta(days=KEEP_DAYS))
    done = old.exclude(deliveries__status=Delivery.Status.PENDING)
    return done.delete()[1].get(Event._meta.label, 0)


@pruner("integrations.daily_summaries", DailySummary)
def prune_old_summary_days(now: datetime) -> int:
    old = DailySummary.objects.filter(day__lt=(now - timedelta(days=KEEP_DAYS)).date())
    return old.delete()[0]
