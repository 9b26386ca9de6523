"""The living demo: a campaign already in flight in the `demo` workspace, against the sandbox.

Everything goes through the product's own services and background tasks (run here, in this
process, so the first screen after login shows the product working): invite links made on
TikTok, posts published through them by the sandbox's creators, one post published without
the link (at risk), one fixed with a campaign code, insights after two days of sandbox time,
and the invite emails in the Outbox. Only the creators' side is played, through the
sandbox's control API (`/sandbox/publish`, `/sandbox/apply-code`, `/sandbox/clock`).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from inviteflow.accounts.models import User, Workspace
from inviteflow.campaigns import services as campaigns
from inviteflow.campaigns.models import Campaign
from inviteflow.compliance import codes
from inviteflow.compliance.remedies import tiktok_for
from inviteflow.compliance.services import Actor
from inviteflow.compliance.tasks import scan_campaign
from inviteflow.creators import services as creators
from inviteflow.creators.models import Creator
from inviteflow.insights.tasks import sync_campaign_insights
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links
from inviteflow.outbound import http_client
from inviteflow.outreach import delivery
from inviteflow.outreach import services as outreach
from inviteflow.outreach.models import EmailTemplate, OutreachBatch
from inviteflow.posts.models import Post
from inviteflow.posts.tasks import sync_campaign_posts

CAMPAIGN = "Spring Glow"
HASHTAG = "springglow"
LINKED_CAPTION = "Morning routine with the new glow serum #springglow"
AT_RISK_CAPTION = "Demo Brand glow, no filter #sponsored"  # found by the brand name
CODE_CAPTION = "Weekend glow check #springglow #ad"
HOURS_LATER = 49  # TikTok reports a linked post about 48 h after it goes live


@dataclass(frozen=True)
class DemoCreator:
    name: str
    handle: str
    through_link: int = 0  # posts published through their invite link
    unlinked: str = ""  # a caption published without the link


CREATORS = (
    DemoCreator("Mia Chen", "mia.glows", through_link=2),
    DemoCreator("Leo Park", "leo.makes", through_link=2),
    DemoCreator("Ava Stone", "ava.daily", through_link=1),
    DemoCreator("Noah Reyes", "noah.fits"),
    DemoCreator("Zoe Adler", "zoe.cooks", unlinked=AT_RISK_CAPTION),
    DemoCreator("Sam Ortiz", "sam.travels", through_link=1, unlinked=CODE_CAPTION),
)
AT_RISK_HANDLE, REMEDIATED_HANDLE = "zoe.cooks", "sam.travels"


def demo_campaign(workspace: Workspace) -> Campaign | None:
    return Campaign.objects.filter(workspace=workspace, name=CAMPAIGN).first()


def seed_campaign(workspace: Workspace, user: User, sandbox_url: str) -> Campaign:
    """The demo campaign, in flight; the workspace must be connected to the sandbox."""
    with http_client(base_url=sandbox_url, timeout=10) as sandbox:
        campaign = _campaign(workspace, _creators(workspace))
        provision_links.call(campaign.pk)
        videos = _publish(sandbox, campaign)
        scan_campaign.call(campaign.pk)  # finds the two posts made without the link
        _fix_with_campaign_code(sandbox, workspace, user, videos[REMEDIATED_HANDLE])
        sandbox.post("/sandbox/clock", json={"advance_hours": HOURS_LATER}).raise_for_status()
        sync_campaign_posts.call(campaign.pk, True)
        scan_campaign.call(campaign.pk)  # sees the code applied: remediated
        sync_campaign_insights.call(campaign.pk)
    _email_invites(campaign, user)
    return campaign


def _creators(workspace: Workspace) -> list[Creator]:
    """The demo's creators; those already there (the campaign was deleted) are reused."""
    handles = [c.handle for c in CREATORS]
    found = {c.handle: c for c in Creator.objects.filter(workspace=workspace, handle__in=handles)}
    return [
        found.get(c.handle)
        or creators.create_creator(
            workspace, name=c.name, handle=c.handle, email=f"{c.handle}@creators.example"
        )
        for c in CREATORS
    ]


def _campaign(workspace: Workspace, roster: list[Creator]) -> Campaign:
    """Started six days ago, ends in five: some creators are behind near the end."""
    today = timezone.localdate()
    campaign = campaigns.create_campaign(
        workspace,
        name=CAMPAIGN,
        brief="Two videos each showing the glow serum in a morning routine. Tag #springglow.",
        starts_on=today - timedelta(days=6),
        ends_on=today + timedelta(days=5),
        posts_required=2,
        hashtags=[HASHTAG],
        status=Campaign.Status.ACTIVE,
    )
    campaigns.add_creators(campaign, roster)
    return campaigns.update_campaign(campaign, tiktok_enabled=True)  # plans one link each


def _publish(sandbox, campaign: Campaign) -> dict[str, str]:
    """The creators publish: through their link, or without it. → handle: unlinked video."""
    links = {
        link.creator.handle: link.url
        for link in InviteLink.objects.filter(campaign=campaign, sequence=1)
        .exclude(url="")
        .select_related("creator")
    }
    unlinked: dict[str, str] = {}
    for creator in CREATORS:
        for _ in range(creator.through_link if creator.handle in links else 0):
            _post(sandbox, creator.handle, LINKED_CAPTION, links[creator.handle])
        if creator.unlinked:
            unlinked[creator.handle] = _post(sandbox, creator.handle, creator.unlinked)
    return unlinked


def _post(sandbox, handle: str, caption: str, invite_link: str = "") -> str:
    body = {"handle": handle, "caption": caption}
    if invite_link:
        body["invite_link"] = invite_link
    answer = sandbox.post("/sandbox/publish", json=body).raise_for_status()
    return answer.json()["video_id"]


def _fix_with_campaign_code(sandbox, workspace: Workspace, user: User, video_id: str) -> None:
    """The manager sends a campaign code (one click on the Compliance page); the creator
    applies it in TikTok."""
    post = Post.objects.select_related("campaign", "creator", "workspace").filter(
        workspace=workspace, video_id=video_id
    )
    found = post.first()
    if found is None:
        return  # the scan did not flag it (say, TikTok failed): the post stays as it is
    with tiktok_for(workspace) as tiktok:
        code = codes.send_campaign_code(found, Actor(user, user.email), tiktok)
    applied = {"video_id": video_id, "campaign_code": code.code}
    sandbox.post("/sandbox/apply-code", json=applied).raise_for_status()


def _email_invites(campaign: Campaign, user: User) -> None:
    """The TikTok invite email to everyone, then every email of the campaign delivered (to
    the Outbox, or SMTP when configured)."""
    outreach.ensure_default_templates(campaign.workspace)
    invite = EmailTemplate.objects.get(workspace=campaign.workspace, default_key="tiktok_invite")
    roster = Creator.objects.filter(campaign_entries__campaign=campaign)
    outreach.send_outreach(campaign, invite, roster, created_by=user)
    for batch_id in OutreachBatch.objects.filter(campaign=campaign).values_list("pk", flat=True):
        delivery.deliver_batch(batch_id)
