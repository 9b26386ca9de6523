"""Read side of post attribution, for pages, the API and link planning.

Every query starts from a campaign that came through the access helpers. Per-creator
figures are fetched for a page of creators at once, so pages run a fixed number of
queries whatever the roster size.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import CampaignSync, CountDecision, MissingPosts, Post

# `state` filter of post lists: review states, compliance states, and whether it counts.
POST_STATES = (
    "uploaded",
    "published",
    "compliant",
    "at_risk",
    "remediated",
    "removed",
    "counted",
    "not_counted",
    "needs_decision",
    "decided",
)


@dataclass
class CreatorProgress:
    entry: CampaignCreator
    counted: int = 0
    attributed: int = 0
    decided: int = 0  # posts whose counting a manager decided (count anyway / don't count)
    links: list[InviteLink] = field(default_factory=list)
    missing: MissingPosts | None = None

    @property
    def required(self) -> int:
        return self.entry.posts_required

    @property
    def owes(self) -> int:
        return max(0, self.required - self.counted)

    @property
    def not_counted(self) -> int:
        return self.attributed - self.counted

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.counted / self.required)) if self.required else 100


def posts_of(
    campaign: Campaign,
    creator_id: int | None = None,
    link_id: int | None = None,
    state: str = "",
) -> QuerySet[Post]:
    decisions = Prefetch("count_decisions", CountDecision.objects.select_related("decided_by"))
    posts = (
        Post.objects.filter(campaign=campaign)
        .select_related("creator", "invite_link")
        .prefetch_related(decisions)
    )
    if creator_id is not None:
        posts = posts.filter(creator_id=creator_id)
    if link_id is not None:
        posts = posts.filter(invite_link_id=link_id)
    return posts.filter(_state_filter(state))


def _state_filter(state: str) -> Q:
    if state in Post.ReviewState.values:
        return Q(review_state=state)
    if state in Post.Compliance.values:
        return Q(compliance=state)
    if state in ("counted", "not_counted"):
        return Q(counts=state == "counted")
    if state == "needs_decision":
        return ~Q(decision_needed="")
    if state == "decided":
        return ~Q(count_decision="")
    return Q()


def counted_by_creator(campaign: Campaign) -> dict[int, int]:
    """Posts that count toward posts_required, per creator."""
    rows = (
        Post.objects.filter(campaign=campaign, counts=True)
        .values_list("creator_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def countable_by_creator(campaign: Campaign) -> dict[int, int]:
    """Posts that count or may still count (checks waiting for TikTok), per creator.

    Link planning uses it: a creator whose newest posts are not described yet must not get
    another link just because those posts have not been checked.
    """
    rows = (
        Post.objects.filter(Q(counts=True) | Q(awaiting_checks=True), campaign=campaign)
        .values_list("creator_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def totals(campaign: Campaign) -> dict[str, int]:
    figures = Post.objects.filter(campaign=campaign).aggregate(
        attributed=Count("id"),
        counted=Count("id", filter=Q(counts=True)),
        at_risk=Count("id", filter=Q(compliance=Post.Compliance.AT_RISK)),
        uploaded=Count("id", filter=Q(review_state=Post.ReviewState.UPLOADED)),
        needs_decision=Count("id", filter=~Q(decision_needed="")),
        decided=Count("id", filter=~Q(count_decision="")),
    )
    figures["not_counted"] = figures["attributed"] - figures["counted"]
    return figures


def progress_of(campaign: Campaign, entries: list[CampaignCreator]) -> list[CreatorProgress]:
    """Progress of a page of roster entries: three queries, whatever the page size."""
    ids = [entry.creator_id for entry in entries]
    rows = {entry.creator_id: CreatorProgress(entry) for entry in entries}
    for creator_id, attributed, counted, decided in _post_counts(campaign, ids):
        row = rows[creator_id]
        row.attributed, row.counted, row.decided = attributed, counted, decided
    for link in campaign.invite_links.filter(creator_id__in=ids).order_by("sequence"):
        rows[link.creator_id].links.append(link)
    for missing in MissingPosts.objects.filter(campaign=campaign, creator_id__in=ids):
        rows[missing.creator_id].missing = missing
    return [rows[creator_id] for creator_id in ids]


def _post_counts(campaign: Campaign, creator_ids: list[int]) -> Any:
    return (
        Post.objects.filter(campaign=campaign, creator_id__in=creator_ids)
        .values("creator_id")
        .annotate(
            attributed=Count("id"),
            counted=Count("id", filter=Q(counts=True)),
            decided=Count("id", filter=~Q(count_decision="")),
        )
        .order_by()
        .values_list("creator_id", "attributed", "counted", "decided")
    )


def owing(campaign: Campaign) -> list[CreatorProgress]:
    """Roster creators who have fewer counted posts than they owe."""
    counted = counted_by_creator(campaign)
    rows = []
    for entry in campaign.roster.select_related("creator"):
        row = CreatorProgress(entry, counted=counted.get(entry.creator_id, 0))
        if row.owes:
            rows.append(row)
    return rows


def sync_state(campaign: Campaign) -> CampaignSync | None:
    return CampaignSync.objects.filter(campaign=campaign).first()
