"""Posts and links written straight to the database, for tests that need no TikTok."""

from datetime import date

from django.utils import timezone

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts import services
from inviteflow.posts.models import Post
from tests.campaigns.factories import make_campaign

_videos = iter(range(7_700_000_000_000_000_000, 7_800_000_000_000_000_000))


def campaign_with(workspace, handles: dict[str, int], **fields) -> Campaign:
    """A campaign (1–31 May 2025, #springlaunch) with these creators owing these posts."""
    campaign = make_campaign(workspace, **{"tiktok_enabled": True, **fields})
    for handle, owed in handles.items():
        creator = Creator.objects.create(workspace=workspace, handle=handle, name=handle.title())
        CampaignCreator.objects.create(
            campaign=campaign, creator=creator, posts_required_override=owed
        )
    return campaign


def add_link(campaign: Campaign, handle: str, sequence: int = 1, **fields) -> InviteLink:
    creator = Creator.objects.get(workspace=campaign.workspace, handle=handle)
    values = {
        "status": "active",
        "tiktok_campaign_id": f"71{campaign.pk:03d}{creator.pk:04d}{sequence:02d}",
        "url": f"https://sandbox.test/t/{handle}{sequence}/",
        **fields,
    }
    return InviteLink.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        creator=creator,
        sequence=sequence,
        **values,
    )


def add_post(
    link: InviteLink,
    published: date | None = date(2025, 5, 3),
    hashtags: tuple[str, ...] = ("springlaunch",),
    **fields,
) -> Post:
    """A described post through `link`, its checks evaluated as attribution does."""
    post = Post(
        workspace=link.workspace,
        campaign=link.campaign,
        creator=link.creator,
        invite_link=link,
        tiktok_campaign_id=link.tiktok_campaign_id,
        video_id=str(next(_videos)),
        linked_via="invite_link",
        review_state="published",
        found_by="webhook",
        hashtags=list(hashtags),
        caption=" ".join(f"#{t}" for t in hashtags),
        published_at=timezone.make_aware(timezone.datetime(*published.timetuple()[:3], 12))
        if published
        else None,
        details_fetched_at=timezone.now(),
        branded_content_toggle=True,
        **fields,
    )
    services.evaluate(post, link.campaign)
    post.save()
    return post
