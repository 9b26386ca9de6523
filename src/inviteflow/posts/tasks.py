"""Background entry points of post attribution. All idempotent: safe to run twice or together.

Periodic: every campaign with live invite links is reconciled every
ATTRIBUTION_SYNC_MINUTES (default 15), and stored webhooks that were never processed
(a worker died, a task was lost) are picked up every minute.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.scheduler import periodic
from inviteflow.links.models import InviteLink
from inviteflow.posts import reconcile, services
from inviteflow.posts.models import WebhookEndpoint, WebhookEvent
from inviteflow.tiktok.connections import NotConnected, client_for
from inviteflow.tiktok.errors import TikTokError
from inviteflow.tiktok.models import TikTokConnection

log = logging.getLogger(__name__)

SYNC_MINUTES = settings.ATTRIBUTION_SYNC_MINUTES
MISSING_MAX_AGE = timedelta(hours=1)  # scheduled runs re-ask TikTok about a creator hourly
MISSING_MAX_AGE_NOW = timedelta(minutes=5)  # Sync now: fresh, but a double click is free
SYNC_AFTER_END = timedelta(days=14)  # late posts and the 48 h delay, with room to spare
EVENT_RETRY_AFTER = timedelta(minutes=1)
EVENT_MAX_ATTEMPTS = 5


# -- Webhooks -------------------------------------------------------------------------------


@task()
def process_webhook_event(event_id: int) -> dict[str, list[str]]:
    event = (
        WebhookEvent.objects.select_related("workspace")
        .filter(pk=event_id, processed_at__isnull=True)
        .first()
    )
    if event is None:
        return {}  # processed already
    WebhookEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    event.attempts += 1
    return services.process_event(event)


@task()
def process_stored_events() -> int:
    """Events stored but not processed after a minute: their task was lost; process now."""
    stale = WebhookEvent.objects.filter(
        processed_at__isnull=True,
        attempts__lt=EVENT_MAX_ATTEMPTS,
        received_at__lt=timezone.now() - EVENT_RETRY_AFTER,
    ).values_list("pk", flat=True)[:500]
    done = 0
    for event_id in stale:
        try:
            process_webhook_event.call(event_id)
            done += 1
        except Exception:  # one bad event must not hold up the others; it has an attempt less
            log.exception("webhook event %s could not be processed", event_id)
    return done


@task()
def subscribe_webhooks(workspace_id: int, replace: bool = False) -> str:
    """Subscribe the workspace to TCM_VIDEOS (after connecting; retried by the sync)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    endpoint = services.endpoint_for(workspace)
    try:
        client, account_id = client_for(workspace)
        with client:
            return reconcile.ensure_subscription(workspace, client, account_id, replace=replace)
    except (NotConnected, TikTokError) as exc:
        services.record_subscription_error(endpoint, str(exc))
        return ""


# -- Reconciliation -------------------------------------------------------------------------


@task()
def sync_campaign_posts(campaign_id: int, force: bool = False) -> dict[str, int | str]:
    """Reconcile one campaign; `force` (Sync now) also re-asks about missing posts."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    services.sync_started(campaign)
    sync, error = None, ""
    try:
        client, account_id = client_for(campaign.workspace)
        with client:
            sync = reconcile.Sync(campaign, client, account_id)
            reconcile.sync_campaign(sync, MISSING_MAX_AGE_NOW if force else MISSING_MAX_AGE)
    except NotConnected as exc:
        error = str(exc)
    except TikTokError as exc:
        error = f"TikTok answered {exc}; the next sync tries again."
    seen, added = (sync.videos_seen, sync.posts_added) if sync else (0, 0)
    services.sync_finished(campaign, seen, added, error)
    return {"videos_seen": seen, "posts_added": added, "error": error}


@task()
def fetch_post_details(campaign_id: int) -> int:
    """Describe posts a webhook just brought (caption, hashtags, publish time)."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    try:
        client, account_id = client_for(campaign.workspace)
        with client:
            return reconcile.describe_posts(campaign, client, account_id)
    except (NotConnected, TikTokError):
        return 0  # the next sync describes them


@task()
def sync_all_campaigns() -> int:
    """Enqueue a sync of every campaign that has links on TikTok and may still get posts."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    for workspace_id in _unsubscribed(connected):
        subscribe_webhooks.enqueue(workspace_id)
    return _enqueue_syncs(_syncable().filter(workspace_id__in=connected.values("workspace_id")))


@task()
def sync_workspace_posts(workspace_id: int) -> int:
    """The first sync after a workspace connects (or reconnects) to TikTok."""
    return _enqueue_syncs(_syncable().filter(workspace_id=workspace_id))


def _enqueue_syncs(campaigns) -> int:  # noqa: ANN001 - a queryset of campaigns
    campaign_ids = list(campaigns.values_list("pk", flat=True))
    for campaign_id in campaign_ids:
        sync_campaign_posts.enqueue(campaign_id)
    return len(campaign_ids)


def _syncable():  # noqa: ANN202 - a queryset of campaigns
    linked = InviteLink.objects.filter(campaign=OuterRef("pk")).exclude(tiktok_campaign_id="")
    recent = timezone.localdate() - SYNC_AFTER_END
    return Campaign.objects.filter(tiktok_enabled=True, ends_on__gte=recent).filter(Exists(linked))


def _unsubscribed(connected) -> list[int]:  # noqa: ANN001
    subscribed = WebhookEndpoint.objects.exclude(subscription_id="").values("workspace_id")
    return list(
        connected.exclude(workspace_id__in=subscribed).values_list("workspace_id", flat=True)
    )


@periodic("posts.sync_all_campaigns", every_seconds=SYNC_MINUTES * 60)
def enqueue_sync() -> None:
    transaction.on_commit(sync_all_campaigns.enqueue)


@periodic("posts.process_stored_events", every_seconds=60)
def enqueue_stored_events() -> None:
    transaction.on_commit(process_stored_events.enqueue)
