"""Which campaign, creator and link a linked TikTok video belongs to.

TikTok names only the TTO account and the TikTok campaign object a video was linked to
(plus, sometimes, the handle). inviteflow creates one TikTok campaign object per invite
link, so the object id finds the link, and the link its campaign and creator.

Other ways of linking bring their own objects (campaign codes, linking requests: the
compliance issue). They plug in with `register(resolver, first=True)`; the first resolver
that recognises the video wins. A resolver only reads, through the workspace.
"""

from collections.abc import Callable
from dataclasses import dataclass

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.campaigns.models import Campaign
from inviteflow.links.models import InviteLink


@dataclass(frozen=True)
class Target:
    campaign: Campaign
    creator_id: int
    invite_link: InviteLink | None
    linked_via: str
    tiktok_campaign_id: str


# (workspace, TTO account id, TikTok campaign object id, video id) -> Target or None
Resolver = Callable[[Workspace, str, str, str], Target | None]
RESOLVERS: list[Resolver] = []


def register(resolver: Resolver, *, first: bool = False) -> Resolver:
    if resolver not in RESOLVERS:
        RESOLVERS.insert(0, resolver) if first else RESOLVERS.append(resolver)
    return resolver


def resolve(
    workspace: Workspace, account_id: str, campaign_id: str, video_id: str
) -> Target | None:
    for resolver in RESOLVERS:
        target = resolver(workspace, account_id, campaign_id, video_id)
        if target is not None:
            return target
    return None


def by_invite_link(
    workspace: Workspace, account_id: str, campaign_id: str, video_id: str
) -> Target | None:
    """The invite link backed by this TikTok campaign object, whatever its status now."""
    link = (
        scoped(InviteLink, workspace)
        .filter(tiktok_campaign_id=campaign_id)
        .select_related("campaign")
        .first()
    )
    if link is None:
        return None
    return target_of(link)


def target_of(link: InviteLink) -> Target:
    return Target(
        campaign=link.campaign,
        creator_id=link.creator_id,
        invite_link=link,
        linked_via="invite_link",
        tiktok_campaign_id=link.tiktok_campaign_id,
    )


register(by_invite_link)
