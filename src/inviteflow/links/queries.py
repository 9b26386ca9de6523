"""Read-side helpers for invite links on the Campaign Details page and in the API.

Links for one page of roster entries come in one query, whatever the roster size.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, QuerySet

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.links.models import InviteLink

Status = InviteLink.Status
ROSTER_FILTERS = {
    "no_link": "No link yet",
    "failed": "Failed",
    "exhausted": "Exhausted",
}


def filter_roster(entries: QuerySet[CampaignCreator], state: str) -> QuerySet[CampaignCreator]:
    """Roster entries whose links are in `state` (an unknown state filters nothing)."""
    links = InviteLink.objects.filter(campaign=OuterRef("campaign"), creator=OuterRef("creator"))
    if state == "no_link":
        return entries.exclude(Exists(links.filter(status__in=[Status.ACTIVE, Status.EXHAUSTED])))
    if state in (Status.FAILED, Status.EXHAUSTED):
        return entries.filter(Exists(links.filter(status=state)))
    return entries


def attach_links(campaign: Campaign, entries: list[CampaignCreator]) -> list[CampaignCreator]:
    """Give each entry `.links` (its non-retired links) and `.posts_used`, in one query."""
    by_creator: dict[int, list[InviteLink]] = defaultdict(list)
    rows = campaign.invite_links.filter(creator_id__in=[e.creator_id for e in entries]).exclude(
        status=Status.RETIRED
    )
    for link in rows.order_by("sequence"):
        by_creator[link.creator_id].append(link)
    for entry in entries:
        entry.links = by_creator.get(entry.creator_id, [])  # type: ignore[attr-defined]
        entry.posts_used = sum(link.posts_used for link in entry.links)  # type: ignore[attr-defined]
    return entries


def links_of(campaign: Campaign) -> QuerySet[InviteLink]:
    return campaign.invite_links.select_related("creator").order_by("creator__name", "sequence")
