"""What post attribution keeps: a processed webhook's body for WEBHOOK_BODY_RETENTION_DAYS.

The row stays, emptied: its digest still recognises a late redelivery of the same events,
and its outcome still says what the delivery did."""

from datetime import datetime, timedelta

from django.conf import settings

from inviteflow.core.retention import pruner
from inviteflow.posts.models import WebhookEvent


@pruner("posts.webhook_bodies", WebhookEvent)
def prune_webhook_bodies(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.WEBHOOK_BODY_RETENTION_DAYS)
    old = WebhookEvent.objects.filter(processed_at__lt=cutoff).exclude(body="")
    return old.update(body="")
