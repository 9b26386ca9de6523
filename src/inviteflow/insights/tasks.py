"""Background entry points of insights. Idempotent: a second run adds snapshots, nothing else.

Periodic: every INSIGHTS_SYNC_HOURS (default 6) each campaign with linked posts TikTok may
still report is synced (TikTok refreshes about daily, §10, so 6 h keeps figures under a
quarter-day old). On demand: Refresh insights and `POST /api/v1/campaigns/{id}/insights/sync`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_tasks import task

from inviteflow.campaigns.models import Campaign
from inviteflow.core.scheduler import periodic
from inviteflow.insights import services, sync
from inviteflow.insights.models import PostInsights
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors
from inviteflow.tiktok.connections import NotConnected, client_for
from inviteflow.tiktok.models import TikTokConnection

SYNC_HOURS = settings.INSIGHTS_SYNC_HOURS
RETRY_WHILE_RUNNING_S = 60


@task()
def sync_campaign_insights(campaign_id: int) -> dict[str, int | str]:
    """Read the campaign's reports from TikTok and record them (one run at a time)."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    if not services.start_sync(campaign):
        _after_the_running_one(campaign)
        return {}
    run, error = None, ""
    try:
        client, account_id = client_for(campaign.workspace)
        with client:
            run = sync.sync_campaign(
                sync.Run(campaign, client, account_id), sync.regions_of(campaign)
            )
        error = _error_of(run)
    except NotConnected as exc:
        error = str(exc)
    finally:
        fetched, updated, finalized = (run.fetched, run.updated, run.finalized) if run else (0,) * 3
        services.finish_sync(campaign, fetched, updated, finalized, error)
    _follow_up(campaign, run)
    return {
        "reports": fetched,
        "posts_updated": updated,
        "posts_finalized": finalized,
        "error": error,
    }


def _after_the_running_one(campaign: Campaign) -> None:
    """A refresh asked for while a sync runs gets its own run once that one is done."""
    state = services.sync_state(campaign)
    if state.requested_at and state.started_at and state.requested_at > state.started_at:
        later = timezone.now() + timedelta(seconds=RETRY_WHILE_RUNNING_S)
        sync_campaign_insights.using(run_after=later).enqueue(campaign.pk)


def _error_of(run: sync.Run) -> str:
    if not run.failures:
        return ""
    more = f" (and {len(run.failures) - 1} more)" if len(run.failures) > 1 else ""
    return f"TikTok answered {run.failures[0]}{more}; the next sync tries again."


def _follow_up(campaign: Campaign, run: sync.Run | None) -> None:
    """Stopped by TikTok's rate limit: come back once the cool-down is over."""
    if run is None or not isinstance(run.stop, errors.Throttled | errors.RateLimitTimeout):
        return
    limiter = run.client.limiter
    wait = getattr(limiter, "cooldown_remaining", lambda: 60.0)()
    later = timezone.now() + timedelta(seconds=max(wait, 1.0) + 1)
    sync_campaign_insights.using(run_after=later).enqueue(campaign.pk)


@task()
def sync_all_insights() -> int:
    """Enqueue a sync of every campaign of a connected workspace with posts still reported."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    campaign_ids = list(
        syncable()
        .filter(workspace_id__in=connected.values("workspace_id"))
        .values_list("pk", flat=True)
    )
    for campaign_id in campaign_ids:
        sync_campaign_insights.enqueue(campaign_id)
    return len(campaign_ids)


def syncable() -> QuerySet[Campaign]:
    """Campaigns with a linked post TikTok has not stopped reporting (no final figures)."""
    open_posts = (
        Post.objects.filter(campaign=OuterRef("pk"))
        .exclude(linked_via="")
        .exclude(tiktok_campaign_id="")
        .exclude(Exists(PostInsights.objects.filter(post=OuterRef("pk"), final=True)))
    )
    return Campaign.objects.filter(Exists(open_posts))


@periodic("insights.sync_all_campaigns", every_seconds=SYNC_HOURS * 3600)
def enqueue_sync() -> None:
    transaction.on_commit(sync_all_insights.enqueue)
