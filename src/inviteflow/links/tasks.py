"""Background entry points for invite links."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from inviteflow.campaigns.models import Campaign
from inviteflow.core.scheduler import periodic
from inviteflow.links import provisioning, services
from inviteflow.links.models import InviteLink, Provisioning
from inviteflow.tiktok.connections import NotConnected, client_for


@task()
def provision_links(campaign_id: int) -> dict[str, int]:
    """Create the campaign's pending links on TikTok. Idempotent: claims and intents make a
    second concurrent or repeated run harmless."""
    campaign = Campaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    if campaign is None or services.is_paused(campaign):
        return {}
    try:
        client, account_id = client_for(campaign.workspace)
    except NotConnected as exc:
        services.pause(campaign, str(exc))
        return {}
    with client:
        run = provisioning.provision_campaign(provisioning.Run(campaign, client, account_id))
    _follow_up(campaign, run)
    return {"created": run.created, "failed": run.failed, "unknown": run.unknown}


def _follow_up(campaign: Campaign, run: provisioning.Run) -> None:
    """Throttled: come back after the cool-down. Unknown outcomes left: come back soon."""
    if isinstance(run.stop, provisioning.Throttled):
        later = timezone.now() + timedelta(seconds=run.stop.wait_s + 1)
        provision_links.using(run_after=later).enqueue(campaign.pk)
    elif (
        run.stop is None
        and InviteLink.objects.filter(campaign=campaign, status=InviteLink.Status.PENDING).exists()
    ):
        provision_links.using(run_after=timezone.now() + timedelta(seconds=30)).enqueue(campaign.pk)


@periodic("links.resume_after_connection_loss", every_seconds=300)
def resume_after_connection_loss() -> None:
    """Campaigns paused because TikTok was unreachable try again every five minutes."""
    paused = Provisioning.objects.filter(paused_reason__startswith="Connection to TikTok lost")
    for state in paused.select_related("campaign"):
        with transaction.atomic():
            services.resume(state.campaign)


@periodic("links.provision_stalled", every_seconds=60)
def provision_stalled() -> None:
    """Pick up pending links nobody is working on: a worker died, or an enqueue was lost."""
    now = timezone.now()
    stalled = (
        InviteLink.objects.filter(status=InviteLink.Status.PENDING)
        .exclude(claimed_until__gt=now)
        .exclude(campaign__provisioning__paused_reason__gt="")
        .exclude(campaign__provisioning__waiting_until__gt=now)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in stalled:
        provision_links.enqueue(campaign_id)
