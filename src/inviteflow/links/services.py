"""State changes for invite links: keep each campaign's link rows matching its roster.

`sync_campaign_links` only writes rows (pending links, retirements); the TikTok
calls happen in the background (`provisioning.py`), enqueued on commit.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.links.models import InviteLink, Provisioning
from inviteflow.links.planning import CreatorPlan, LinkState, plan_creator

Status = InviteLink.Status


def _required_by_creator(campaign: Campaign) -> dict[int, int]:
    rows = campaign.roster.values_list("creator_id", "posts_required_override")
    return {creator_id: override or campaign.posts_required for creator_id, override in rows}


def _links_by_creator(campaign: Campaign) -> dict[int, list[LinkState]]:
    grouped: dict[int, list[LinkState]] = defaultdict(list)
    rows = campaign.invite_links.values_list("id", "creator_id", "sequence", "status", "posts_used")
    for link_id, creator_id, sequence, status, used in rows:
        grouped[creator_id].append(LinkState(link_id, sequence, status, used))
    return grouped


def plan_campaign(campaign: Campaign) -> dict[int, CreatorPlan]:
    required = _required_by_creator(campaign) if campaign.tiktok_enabled else {}
    links = _links_by_creator(campaign)
    counted_by_creator = _posts_counted(campaign)
    plans = {}
    for creator_id in set(required) | set(links):
        owed = required.get(creator_id, 0)
        counted = counted_by_creator.get(creator_id, 0)
        plans[creator_id] = plan_creator(links.get(creator_id, []), owed, counted)
    return plans


def _posts_counted(campaign: Campaign) -> dict[int, int]:
    """Posts that pass the campaign's requirement checks (or whose checks still wait for
    TikTok), per creator: post attribution keeps them."""
    from inviteflow.posts.queries import countable_by_creator

    return countable_by_creator(campaign)


def sync_campaign_links(campaign: Campaign) -> int:
    """Create pending links, retire surplus ones; returns how many links await TikTok."""
    if not campaign.tiktok_enabled:
        return 0
    plans = plan_campaign(campaign)
    with transaction.atomic():
        _apply(campaign, plans)
        pending = campaign.invite_links.filter(status=Status.PENDING).count()
        if pending:
            transaction.on_commit(lambda: enqueue_provisioning(campaign.pk))
    return pending


def _apply(campaign: Campaign, plans: dict[int, CreatorPlan]) -> None:
    new = [
        InviteLink(
            workspace_id=campaign.workspace_id,
            campaign=campaign,
            creator_id=creator_id,
            sequence=sequence,
        )
        for creator_id, plan in plans.items()
        for sequence in plan.to_create
    ]
    InviteLink.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    retire = [i for plan in plans.values() for i in plan.to_retire]
    revive = [i for plan in plans.values() for i in plan.to_revive]
    links = campaign.invite_links
    for chunk in _chunks(retire):
        links.filter(id__in=chunk).update(status=Status.RETIRED, claimed_until=None)
    for chunk in _chunks(revive):
        links.filter(id__in=chunk).exclude(tiktok_campaign_id="").update(status=Status.ACTIVE)
        links.filter(id__in=chunk, tiktok_campaign_id="").update(status=Status.PENDING)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def enqueue_provisioning(campaign_id: int) -> None:
    from inviteflow.links.tasks import provision_links

    provision_links.enqueue(campaign_id)


def retry_failed(campaign: Campaign) -> int:
    """Put failed links back in the queue (after the handle was fixed, say)."""
    with transaction.atomic():
        count = campaign.invite_links.filter(status=Status.FAILED).update(
            status=Status.PENDING, failure_code="", failure_message="", claimed_until=None
        )
        resume(campaign)
        if count:
            transaction.on_commit(lambda: enqueue_provisioning(campaign.pk))
    return count


def pause(campaign: Campaign, reason: str) -> None:
    Provisioning.objects.update_or_create(
        campaign=campaign, defaults={"paused_reason": reason, "paused_at": timezone.now()}
    )


def resume(campaign: Campaign) -> None:
    """Lift a pause; pending links are provisioned again."""
    updated = (
        Provisioning.objects.filter(campaign=campaign)
        .exclude(paused_reason="")
        .update(paused_reason="", paused_at=None)
    )
    if updated and campaign.invite_links.filter(status=Status.PENDING).exists():
        transaction.on_commit(lambda: enqueue_provisioning(campaign.pk))


def is_paused(campaign: Campaign) -> str:
    state = Provisioning.objects.filter(campaign=campaign).values_list("paused_reason", flat=True)
    return next(iter(state), "")


def progress(campaign: Campaign) -> dict[str, int]:
    """Counts for the progress bar: every non-retired link by status; done = no longer pending."""
    counts = dict.fromkeys(Status.values, 0)
    for row in campaign.invite_links.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    live = sum(n for s, n in counts.items() if s != Status.RETIRED)
    ready = counts[Status.ACTIVE] + counts[Status.EXHAUSTED]
    return {**counts, "total": live, "done": live - counts[Status.PENDING], "ready": ready}
