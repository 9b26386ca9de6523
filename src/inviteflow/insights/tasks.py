"""Background entry points of insights. Idempotent: a second run adds snapshots, nothing else.

Periodic: every INSIGHTS_SYNC_HOURS (default 6) each campaign with linked posts TikTok may
still report is synced (TikTok refreshes about daily, §10, so 6 h keeps figures under a
quarter-day old). On demand: Refresh insights and `POST /api/v1/campaigns/{id}/insights/sync`.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core.enqueue import TIKTOK, background, enqueue_on_commit, job
from inviteflow.core.scheduler import every
from inviteflow.insights import services, sync
from inviteflow.insights.models import PostInsights
from inviteflow.posts.models import Post
from inviteflow.tiktok import errors, jobs
from inviteflow.tiktok.connections import TikTokAccount
from inviteflow.tiktok.models import TikTokConnection

SYNC_HOURS = settings.INSIGHTS_SYNC_HOURS
RETRY_WHILE_RUNNING = timedelta(seconds=60)
SYNC_ALL_INSIGHTS = job("insights.sync_all_campaigns")


class SyncCampaignInsights(jobs.TikTokJob[sync.Run]):
    """Read the campaign's reports from TikTok and record them (one run at a time)."""

    task_name = services.SYNC_CAMPAIGN_INSIGHTS

    def __init__(self, campaign: Campaign) -> None:
        self.campaign, self.workspace, self.args = campaign, campaign.workspace, (campaign.pk,)

    def start(self) -> bool:
        if services.start_sync(self.campaign):
            return True
        self._after_the_running_one()
        return False

    def work(self, account: TikTokAccount) -> sync.Run:
        run = sync.Run(self.campaign, account.client, account.account_id)
        return sync.sync_campaign(run, sync.regions_of(self.campaign))

    def stopped_by(self, result: sync.Run) -> errors.TikTokError | None:
        return result.stop

    def finish(self, outcome: jobs.Outcome[sync.Run]) -> None:
        run = outcome.result
        fetched, updated, finalized = (run.fetched, run.updated, run.finalized) if run else (0,) * 3
        error = outcome.error or _error_of(run)
        services.finish_sync(self.campaign, fetched, updated, finalized, error)

    def _after_the_running_one(self) -> None:
        """A refresh asked for while a sync runs gets its own run once that one is done."""
        state = services.sync_state(self.campaign)
        if state.requested_at and state.started_at and state.requested_at > state.started_at:
            later = timezone.now() + RETRY_WHILE_RUNNING
            enqueue_on_commit(self.task_name, self.campaign.pk, run_after=later)


def _error_of(run: sync.Run | None) -> str:
    if run is None or not run.failures:
        return ""
    more = f" (and {len(run.failures) - 1} more)" if len(run.failures) > 1 else ""
    return f"TikTok answered {run.failures[0]}{more}; the next sync tries again."


@background(services.SYNC_CAMPAIGN_INSIGHTS, TIKTOK)
def sync_campaign_insights(campaign_id: int) -> dict[str, int | str]:
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    outcome = jobs.run(SyncCampaignInsights(campaign))
    run = outcome.result
    if run is None:
        return {"error": outcome.error} if outcome.error else {}
    return {
        "reports": run.fetched,
        "posts_updated": run.updated,
        "posts_finalized": run.finalized,
        "error": outcome.error or _error_of(run),
    }


@background(SYNC_ALL_INSIGHTS)
def sync_all_insights() -> int:
    """Enqueue a sync of every campaign of a connected workspace with posts still reported."""
    connected = TikTokConnection.objects.filter(status=TikTokConnection.Status.CONNECTED)
    campaigns = syncable().filter(workspace_id__in=connected.values("workspace_id"))
    campaign_ids = list(campaigns.values_list("pk", flat=True))
    for campaign_id in campaign_ids:
        enqueue_on_commit(services.SYNC_CAMPAIGN_INSIGHTS, campaign_id)
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


every(SYNC_HOURS * 3600, SYNC_ALL_INSIGHTS)
