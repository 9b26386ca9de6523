"""Read-side helpers shared by the pages and the API."""

from django.db.models import Q, QuerySet

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.creators.handles import normalise_handle
from inviteflow.creators.models import Creator


def search_creators(workspace: Workspace, q: str = "") -> QuerySet[Creator]:
    """The workspace's creators whose name, handle or email contains `q` ('@name' works)."""
    creators = scoped(Creator, workspace)
    q = q.strip()
    if not q:
        return creators
    return creators.filter(
        Q(name__icontains=q) | Q(email__icontains=q) | Q(handle__icontains=normalise_handle(q))
    )
