"""Background entry points of post attribution. All idempotent: safe to run twice or together.

Periodic: every campaign with live invite links is reconciled every
ATTRIBUTION_SYNC_MINUTES (default 15), and stored webhooks that were never processed
(a worker died, a task was lost) are picked up every minute.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.core.enqueue import TIKTOK, background, enqueue_on_commit, job
from inviteflow.core.scheduler import every
from inviteflow.links.models import InviteLink
from inviteflow.posts import reconcile, services
from inviteflow.posts.models import WebhookEndpoint, WebhookEvent
from inviteflow.tiktok import errors, jobs
from inviteflow.tiktok.connections import TikTokAccount
from inviteflow.tiktok.models import TikTokConnection

log = logging.getLogger(__name__)

SYNC_MINUTES = settings.ATTRIBUTION_SYNC_MINUTES
MISSING_MAX_AGE = timedelta(hours=1)  # scheduled runs re-ask TikTok about a creator hourly
MISSING_MAX_AGE_NOW = timedelta(minutes=5)  # Sync now: fresh, but a double click is free
SYNC_AFTER_END = timedelta(days=14)  # late posts and the 48 h delay, with room to spare
EVENT_RETRY_AFTER = timedelta(minutes=1)
EVENT_MAX_ATTEMPTS = 5
PROCESS_STORED_EVENTS = job("posts.process_stored_events")
SYNC_ALL_CAMPAIGNS = job("posts.sync_all_campaigns")


# -- Webhooks -------------------------------------------------------------------------------


@background(services.PROCESS_WEBHOOK_EVENT, TIKTOK)
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


@background(PROCESS_STORED_EVENTS)
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


class SubscribeWebhooks(jobs.TikTokJob[str]):
    """Subscribe the workspace to TCM_VIDEOS (after connecting; retried by the sync)."""

    task_name = services.SUBSCRIBE_WEBHOOKS

    def __init__(self, workspace: Workspace, replace: bool) -> None:
        self.workspace, self.replace, self.args = workspace, replace, (workspace.pk, replace)

    def work(self, account: TikTokAccount) -> str:
        return reconcile.ensure_subscription(
            self.workspace, account.client, account.account_id, replace=self.replace
        )

    def finish(self, outcome: jobs.Outcome[str]) -> None:
        if outcome.error:
            services.record_subscription_error(services.endpoint_for(self.workspace), outcome.error)


@background(services.SUBSCRIBE_WEBHOOKS, TIKTOK)
def subscribe_webhooks(workspace_id: int, replace: bool = False) -> str:
    workspace = Workspace.objects.get(pk=workspace_id)
    return jobs.run(SubscribeWebhooks(workspace, replace)).result or ""


# -- Reconciliation -------------------------------------------------------------------------


class SyncCampaignPosts(jobs.TikTokJob[reconcile.Sync]):
    """Reconcile one campaign; `force` (Sync now) also re-asks about missing posts."""

    task_name = services.SYNC_CAMPAIGN_POSTS

    def __init__(self, campaign: Campaign, force: bool) -> None:
        self.campaign, self.workspace = campaign, campaign.workspace
        self.force, self.args = force, (campaign.pk, force)

    def start(self) -> bool:
        services.sync_started(self.campaign)
        return True

    def work(self, account: TikTokAccount) -> reconcile.Sync:
        sync = reconcile.Sync(self.campaign, account.client, account.account_id)
        return reconcile.sync_campaign(sync, MISSING_MAX_AGE_NOW if self.force else MISSING_MAX_AGE)

    def stopped_by(self, result: reconcile.Sync) -> errors.TikTokError | None:
        """A read TikTok refused is shown, though the sync went on without it."""
        return result.refused[0] if result.refused else None

    def finish(self, outcome: jobs.Outcome[reconcile.Sync]) -> None:
        sync = outcome.result
        seen, added = (sync.videos_seen, sync.posts_added) if sync else (0, 0)
        services.sync_finished(self.campaign, seen, added, outcome.error)


@background(services.SYNC_CAMPAIGN_POSTS, TIKTOK)
def sync_campaign_posts(campaign_id: int, force: bool = False) -> dict[str, int | str]:
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    outcome = jobs.run(SyncCampaignPosts(campaign, force))
    sync = outcome.result
    seen, added = (sync.videos_seen, sync.posts_added) if sync else (0, 0)
    return {"videos_seen": seen, "posts_added": added, "error": outcome.error}


class FetchPostDetails(jobs.TikTokJob[int]):
    """Describe posts a webhook just brought (caption, hashtags, publish time); on any
    failure the next sync describes them."""

    task_name = services.FETCH_POST_DETAILS

    def __init__(self, campaign: Campaign) -> None:
        self.campaign, self.workspace, self.args = campaign, campaign.workspace, (campaign.pk,)

    def work(self, account: TikTokAccount) -> int:
        return reconcile.describe_posts(self.campaign, account.client, account.account_id)


@background(services.FETCH_POST_DETAILS, TIKTOK)
def fetch_post_details(campaign_id: int) -> int:
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return jobs.run(FetchPostDetails(campaign)).result or 0


@background(SYNC_ALL_CAMPAIGNS)
def sync_all_campaigns() -> int:
    """Enqueue a sync of every campaign that has links on TikTok and may still get posts."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    for workspace_id in _unsubscribed(connected):
        enqueue_on_commit(services.SUBSCRIBE_WEBHOOKS, workspace_id)
    return _enqueue_syncs(_syncable().filter(workspace_id__in=connected.values("workspace_id")))


@background(services.SYNC_WORKSPACE_POSTS)
def sync_workspace_posts(workspace_id: int) -> int:
    """The first sync after a workspace connects (or reconnects) to TikTok."""
    return _enqueue_syncs(_syncable().filter(workspace_id=workspace_id))


def _enqueue_syncs(campaigns: QuerySet[Campaign]) -> int:
    campaign_ids = list(campaigns.values_list("pk", flat=True))
    for campaign_id in campaign_ids:
        enqueue_on_commit(services.SYNC_CAMPAIGN_POSTS, campaign_id)
    return len(campaign_ids)


def _syncable() -> QuerySet[Campaign]:
    linked = InviteLink.objects.filter(campaign=OuterRef("pk")).exclude(tiktok_campaign_id="")
    recent = timezone.localdate() - SYNC_AFTER_END
    return Campaign.objects.filter(tiktok_enabled=True, ends_on__gte=recent).filter(Exists(linked))


def _unsubscribed(connected: QuerySet[TikTokConnection]) -> list[int]:
    subscribed = WebhookEndpoint.objects.exclude(subscription_id="").values("workspace_id")
    pending = connected.exclude(workspace_id__in=subscribed)
    return list(pending.values_list("workspace_id", flat=True))


every(SYNC_MINUTES * 60, SYNC_ALL_CAMPAIGNS)
every(60, PROCESS_STORED_EVENTS)
