"""Read-side helpers shared by the pages and the API."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.creators.handles import normalise_handle
from inviteflow.creators.models import Creator, CsvImport

RETIRED = "retired"  # InviteLink.Status.RETIRED; the links app imports this one, not back


def imports_in_progress(workspace: Workspace) -> QuerySet[CsvImport]:
    """Confirmed imports not finished yet, oldest first: the pages where an import starts show
    their progress, read from the database, whoever comes back to them."""
    running = (CsvImport.Status.QUEUED, CsvImport.Status.RUNNING)
    imports = scoped(CsvImport, workspace).filter(status__in=running)
    return imports.defer("rows", "errors", "duplicates").order_by("created_at", "id")


def search_creators(workspace: Workspace, q: str = "") -> QuerySet[Creator]:
    """The workspace's creators whose name, handle or email contains `q` ('@name' works)."""
    creators = scoped(Creator, workspace)
    q = q.strip()
    if not q:
        return creators
    return creators.filter(
        Q(name__icontains=q) | Q(email__icontains=q) | Q(handle__icontains=normalise_handle(q))
    )


def ticked_ids(values: list[str]) -> list[int]:
    """Ticked checkbox values → ids, each once; anything that is not a number is ignored."""
    return sorted({int(value) for value in values if value.isdigit()})


def selected_creators(
    workspace: Workspace, ids: list[int], all_matching: bool = False, q: str = ""
) -> QuerySet[Creator]:
    """The creators a manager selected on the list: those ticked (on any page or search),
    plus, for "all N matching", everyone the search matches (applied again here, so no list
    of ids travels). Ids of another workspace's creators select nobody."""
    chosen = Q(pk__in=ids)
    if all_matching:
        chosen |= Q(pk__in=search_creators(workspace, q).values("pk"))
    return scoped(Creator, workspace).filter(chosen).order_by("name", "id")


@dataclass
class CampaignImpact:
    """One campaign a deletion touches: whether the creator is on its roster, and the invite
    links of theirs that still work there (each will be retired)."""

    campaign: Any
    on_roster: bool = False
    live_links: list[Any] = field(default_factory=list)


def deletion_impact(creator: Creator) -> list[CampaignImpact]:
    """What deleting `creator` changes, per campaign, for the confirmation page. Read
    through the creator's own relations: the roster and links apps sit above this one."""
    found: dict[int, CampaignImpact] = {}
    for entry in creator.campaign_entries.select_related("campaign"):
        found.setdefault(entry.campaign_id, CampaignImpact(entry.campaign)).on_roster = True
    links = creator.invite_links.exclude(status=RETIRED).select_related("campaign")
    for link in links.order_by("campaign_id", "sequence"):
        found.setdefault(link.campaign_id, CampaignImpact(link.campaign)).live_links.append(link)
    return sorted(found.values(), key=lambda impact: (impact.campaign.name, impact.campaign.pk))
