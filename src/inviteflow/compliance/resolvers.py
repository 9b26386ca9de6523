"""Attribution of videos linked through a remedy, plugged into posts.resolvers.

A webhook (or reconciliation) names the TikTok campaign object a video was linked to:
- a campaign code's object: the campaign is the code's; the creator is the one whose
  post it is (found by the scan), or the code's only creator;
- a creator's invite-link object with our linking request for that video: linked via
  the request (it does not use up the link's posts).
Both come before the invite-link resolver, which knows the same objects only as links.
"""

from inviteflow.accounts.access import scoped
from inviteflow.accounts.models import Workspace
from inviteflow.compliance.models import CampaignCode, CodeOrder, LinkRequest
from inviteflow.posts import resolvers
from inviteflow.posts.models import Post
from inviteflow.posts.resolvers import Target


def by_link_request(
    workspace: Workspace, account_id: str, campaign_id: str, video_id: str
) -> Target | None:
    request = (
        scoped(LinkRequest, workspace)
        .filter(post__video_id=video_id, tiktok_campaign_id=campaign_id)
        .exclude(status=LinkRequest.Status.REVOKED)
        .select_related("campaign", "invite_link")
        .first()
    )
    if request is None:
        return None
    return Target(
        campaign=request.campaign,
        creator_id=request.creator_id,
        invite_link=request.invite_link,
        linked_via=Post.LinkedVia.LINK_REQUEST,
        tiktok_campaign_id=campaign_id,
    )


def by_campaign_code(
    workspace: Workspace, account_id: str, campaign_id: str, video_id: str
) -> Target | None:
    code = (
        scoped(CampaignCode, workspace)
        .filter(tiktok_campaign_id=campaign_id)
        .select_related("campaign")
        .first()
    )
    if code is None:
        return None
    creator_id = _creator_of(workspace, code, video_id)
    if creator_id is None:
        return None  # reconciliation reads the code's orders, which name the handle
    return Target(
        campaign=code.campaign,
        creator_id=creator_id,
        invite_link=None,
        linked_via=Post.LinkedVia.CAMPAIGN_CODE,
        tiktok_campaign_id=campaign_id,
    )


def _creator_of(workspace: Workspace, code: CampaignCode, video_id: str) -> int | None:
    post = scoped(Post, workspace).filter(video_id=video_id).values_list("creator_id", flat=True)
    if post:
        return post[0]
    creators = list(
        CodeOrder.objects.filter(campaign_code=code).values_list("creator_id", flat=True)[:2]
    )
    return creators[0] if len(creators) == 1 else None


def by_unlisted_code(
    workspace: Workspace, account_id: str, campaign_id: str, video_id: str
) -> Target | None:
    """An at-risk post of ours, now linked to an object we don't know, whose creator holds
    exactly one campaign code whose object the TTO list never showed (contract §13): that
    code's object. Like the code's other posts it keeps no object id: its metrics come from
    the legacy order report."""
    post = (
        scoped(Post, workspace)
        .filter(video_id=video_id, compliance=Post.Compliance.AT_RISK)
        .select_related("campaign")
        .first()
    )
    if post is None:
        return None
    unlisted = CampaignCode.objects.filter(
        campaign_id=post.campaign_id,
        status=CampaignCode.Status.ACTIVE,
        tiktok_campaign_id="",
        orders__creator_id=post.creator_id,
    )
    if unlisted.count() != 1:
        return None
    return Target(
        campaign=post.campaign,
        creator_id=post.creator_id,
        invite_link=None,
        linked_via=Post.LinkedVia.CAMPAIGN_CODE,
        tiktok_campaign_id="",
    )


def install() -> None:
    resolvers.register(by_link_request, first=True)
    resolvers.register(by_campaign_code, first=True)
    resolvers.register(by_unlisted_code)  # after the invite links: only unknown objects
