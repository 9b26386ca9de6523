"""State changes for invite links: keep each campaign's link rows matching its roster.

`sync_campaign_links` only writes rows (pending links, retirements); the TikTok
calls happen in the background (`provisioning.py`), enqueued on commit.
"""

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.core.enqueue import enqueue_on_commit, job
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink, Provisioning
from inviteflow.links.planning import CreatorPlan, LinkState, plan_creator
from inviteflow.tiktok.models import Pause

Status = InviteLink.Status
PROVISION_LINKS = job("links.provision_links")
PENDING_AGAIN_AFTER = timedelta(seconds=30)  # unknown outcomes left: look again soon
NO_INVITE_LINK = "no_invite_link"  # failure: TikTok never gave the object an invite link


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


CountedPosts = Callable[[Campaign], dict[int, int]]
_COUNTED_POSTS: list[CountedPosts] = []


def count_posts_with(source: CountedPosts) -> None:
    """Post attribution (a higher app) tells planning how many posts count per creator."""
    _COUNTED_POSTS[:] = [source]


def _posts_counted(campaign: Campaign) -> dict[int, int]:
    """Posts that pass the campaign's requirement checks (or whose checks still wait for
    TikTok), per creator; none before post attribution registers its count."""
    return _COUNTED_POSTS[0](campaign) if _COUNTED_POSTS else {}


def sync_campaign_links(campaign: Campaign) -> int:
    """Create pending links, retire surplus ones; returns how many links await TikTok."""
    if not campaign.tiktok_enabled:
        return 0
    plans = plan_campaign(campaign)
    with transaction.atomic():
        _apply(campaign, plans)
        pending = campaign.invite_links.filter(status=Status.PENDING).count()
        if pending:
            enqueue_on_commit(PROVISION_LINKS, campaign.pk)
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


def retire_links_of(creator: Creator) -> int:
    """Every link of a deleted creator, whatever its campaign's settings: none is handed out
    again. TikTok cannot switch a link off, so posts may still arrive through them."""
    links = InviteLink.objects.filter(creator=creator).exclude(status=Status.RETIRED)
    return links.update(status=Status.RETIRED, claimed_until=None)


def retry_failed(campaign: Campaign) -> int:
    """Put failed links back in the queue (after the handle was fixed, say); one whose object
    TikTok made without an invite link waits for it again."""
    failed = campaign.invite_links.filter(status=Status.FAILED)
    with transaction.atomic():
        failed.filter(failure_code=NO_INVITE_LINK).update(awaiting_url_since=timezone.now())
        count = failed.update(
            status=Status.PENDING, failure_code="", failure_message="", claimed_until=None
        )
        resume(campaign)
        if count:
            enqueue_on_commit(PROVISION_LINKS, campaign.pk)
    return count


def awaiting_url(campaign: Campaign) -> QuerySet[InviteLink]:
    """Pending links whose object TikTok made without an invite link yet."""
    return campaign.invite_links.filter(status=Status.PENDING, awaiting_url_since__isnull=False)


def _next_look(campaign: Campaign) -> datetime:
    """Soon when invite links are awaited from TikTok (they come in seconds), else later."""
    waiting = awaiting_url(campaign).exists()
    seconds = settings.LINK_URL_RECHECK_SECONDS if waiting else PENDING_AGAIN_AFTER.total_seconds()
    return timezone.now() + timedelta(seconds=seconds)


def pause(campaign: Campaign, because: Pause, reason: str) -> None:
    Provisioning.objects.update_or_create(
        campaign=campaign,
        defaults={"paused_because": because, "paused_reason": reason, "paused_at": timezone.now()},
    )


def record_run(
    campaign: Campaign, pause_: Pause | None, reason: str, waiting_until: datetime | None
) -> None:
    """A provisioning run ended: throttled runs wait, refused or unreachable ones pause;
    unknown outcomes left come back soon."""
    Provisioning.objects.update_or_create(
        campaign=campaign,
        defaults={"last_run_at": timezone.now(), "waiting_until": waiting_until},
    )
    if pause_ is not None and pause_ != Pause.THROTTLED:
        pause(campaign, pause_, reason)
    elif pause_ is None and campaign.invite_links.filter(status=Status.PENDING).exists():
        enqueue_on_commit(PROVISION_LINKS, campaign.pk, run_after=_next_look(campaign))


def resume(campaign: Campaign) -> None:
    """Lift a pause; pending links are provisioned again."""
    updated = (
        Provisioning.objects.filter(campaign=campaign)
        .exclude(paused_reason="")
        .update(paused_reason="", paused_because="", paused_at=None)
    )
    if updated and campaign.invite_links.filter(status=Status.PENDING).exists():
        enqueue_on_commit(PROVISION_LINKS, campaign.pk)


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
    waiting = awaiting_url(campaign).count()
    done = live - counts[Status.PENDING]
    return {**counts, "total": live, "done": done, "ready": ready, "waiting": waiting}


# -- Link counters ----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCount:
    """A link's counter as it is now; `just_exhausted` when this count used it up."""

    link_id: int
    status: str
    posts_used: int
    just_exhausted: bool


def record_posts_used(
    campaign: Campaign, used: dict[int, int], link_ids: Collection[int] | None = None
) -> list[LinkCount]:
    """posts_used of each link (`used`: link id → its posts, from post attribution); a link
    with max_posts posts is exhausted. Only the links in `link_ids` when given."""
    links = campaign.invite_links.only("id", "status", "posts_used", "max_posts")
    if link_ids is not None:
        links = links.filter(pk__in=link_ids)
    return [_count_link(link, used.get(link.pk, 0)) for link in links]


def _count_link(link: InviteLink, used: int) -> LinkCount:
    if link.posts_used != used:
        InviteLink.objects.filter(pk=link.pk).update(posts_used=used)
    status = Status.EXHAUSTED if used >= link.max_posts else Status.ACTIVE
    live = (Status.ACTIVE, Status.EXHAUSTED)
    # Conditional: provisioning or retirement may have moved the link meanwhile.
    changed = (
        link.status in live
        and link.status != status
        and InviteLink.objects.filter(pk=link.pk, status=link.status).update(status=status) == 1
    )
    now = status if changed else link.status
    return LinkCount(link.pk, now, used, changed and status == Status.EXHAUSTED)
