"""Background entry points for invite links."""

from django.db import transaction
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core.enqueue import TIKTOK, background, enqueue_on_commit
from inviteflow.core.scheduler import periodic
from inviteflow.links import provisioning, services
from inviteflow.links.models import InviteLink, Provisioning
from inviteflow.tiktok import jobs
from inviteflow.tiktok.connections import TikTokAccount
from inviteflow.tiktok.errors import TikTokError
from inviteflow.tiktok.models import Pause


class ProvisionLinks(jobs.TikTokJob[provisioning.Run]):
    """Create the campaign's pending links on TikTok."""

    task_name = services.PROVISION_LINKS

    def __init__(self, campaign: Campaign) -> None:
        self.campaign, self.workspace, self.args = campaign, campaign.workspace, (campaign.pk,)

    def start(self) -> bool:
        return not services.is_paused(self.campaign)

    def work(self, account: TikTokAccount) -> provisioning.Run:
        run = provisioning.Run(self.campaign, account.client, account.account_id)
        return provisioning.provision_campaign(run)

    def stopped_by(self, result: provisioning.Run) -> TikTokError | None:
        return result.stop

    def finish(self, outcome: jobs.Outcome[provisioning.Run]) -> None:
        services.record_run(self.campaign, outcome.pause, outcome.error, outcome.retry_at)


@background(services.PROVISION_LINKS, TIKTOK)
def provision_links(campaign_id: int) -> dict[str, int]:
    """Idempotent: claims and intents make a second concurrent or repeated run harmless."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    run = jobs.run(ProvisionLinks(campaign)).result
    if run is None:
        return {}
    if run.stop is None and run.sliced():  # a long campaign goes on in a fresh task
        enqueue_on_commit(services.PROVISION_LINKS, campaign_id)
    return {
        "created": run.created,
        "failed": run.failed,
        "unknown": run.unknown,
        "lookup_calls": run.lookup_calls,
    }


@periodic("links.resume_after_connection_loss", every_seconds=300)
def resume_after_connection_loss() -> None:
    """Campaigns paused because TikTok was unreachable try again every five minutes."""
    paused = Provisioning.objects.filter(paused_because=Pause.CONNECTION_LOST)
    for state in paused.select_related("campaign"):
        with transaction.atomic():
            services.resume(state.campaign)


@periodic("links.provision_stalled", every_seconds=10)
def provision_stalled() -> None:
    """Pick up pending links nobody is working on: a worker died (its claims expired), or an
    enqueue was lost. One task per campaign."""
    now = timezone.now()
    stalled = (
        InviteLink.objects.filter(status=InviteLink.Status.PENDING)
        .exclude(claimed_until__gt=now)
        .exclude(campaign__provisioning__paused_reason__gt="")
        .exclude(campaign__provisioning__waiting_until__gt=now)
        .order_by()  # Meta.ordering would add its columns to DISTINCT: one row per link
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in stalled:
        enqueue_on_commit(services.PROVISION_LINKS, campaign_id)
