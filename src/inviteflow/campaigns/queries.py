"""Read-side helpers shared by views and API endpoints.

Every query starts from a workspace-scoped object (a Campaign obtained through the
access helpers, or a Workspace), so none of them can reach another tenant's rows.
Roster rows select their creator in the same query: list pages stay at a fixed
number of queries whatever the roster size.
"""

import re

from django.db.models import Count, Q, QuerySet

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.handles import normalise_handle
from inviteflow.creators.models import Creator

HANDLE_SEPARATORS = re.compile(r"[\s,;]+")
LOOKUP_CHUNK = 500  # stays well under every database's bound-parameter limit


def campaigns_of(workspace: Workspace, status: str = "") -> QuerySet[Campaign]:
    """The workspace's campaigns with their roster size; an unknown status filters nothing."""
    campaigns = (
        scoped(Campaign, workspace)
        .annotate(roster_size=Count("roster"))
        .order_by("-starts_on", "-id")  # aggregation drops Meta.ordering
    )
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    return campaigns


def roster_of(campaign: Campaign, search: str = "") -> QuerySet[CampaignCreator]:
    """Roster entries with their creator; entry.campaign is `campaign` without a query."""
    entries = campaign.roster.select_related("creator")
    term = search.strip().lstrip("@")
    if term:
        entries = entries.filter(
            Q(creator__name__icontains=term) | Q(creator__handle__icontains=term)
        )
    return entries


def creators_not_on(campaign: Campaign, search: str = "") -> QuerySet[Creator]:
    """The workspace's creators a manager can still add to `campaign`."""
    creators = scoped(Creator, campaign.workspace).exclude(campaign_entries__campaign=campaign)
    term = search.strip().lstrip("@")
    if term:
        creators = creators.filter(
            Q(name__icontains=term) | Q(handle__icontains=term) | Q(email__icontains=term)
        )
    return creators


def parse_handles(text: str) -> list[str]:
    """Pasted handles, one per line or comma separated, '@' optional → normalised, deduplicated."""
    handles: list[str] = []
    for word in HANDLE_SEPARATORS.split(text or ""):
        handle = normalise_handle(word)
        if handle and handle not in handles:
            handles.append(handle)
    return handles


def creators_by_handle(workspace: Workspace, handles: list[str]) -> tuple[list[Creator], list[str]]:
    """The workspace's creators with these handles, and the handles no creator has."""
    found: dict[str, Creator] = {}
    for start in range(0, len(handles), LOOKUP_CHUNK):
        chunk = handles[start : start + LOOKUP_CHUNK]
        found.update((c.handle, c) for c in scoped(Creator, workspace).filter(handle__in=chunk))
    creators = [found[h] for h in handles if h in found]
    return creators, [h for h in handles if h not in found]
