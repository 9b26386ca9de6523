"""Insights against the live sandbox: campaigns whose invite links are real sandbox campaign
objects, posts published through them, and the sandbox's call counters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.posts.models import Post
from inviteflow.tiktok.client import TikTokClient
from tests.campaigns.factories import make_campaign
from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

REPORT_PATH = "/tto/tcm/report/"


def report_calls(sandbox) -> int:
    """`/tto/tcm/report/` calls the sandbox answered so far."""
    return sandbox.calls_to(REPORT_PATH)


def tiktok_campaign(workspace, handles: list[str], **fields):
    """A campaign of this month with these creators on the roster, TikTok still off."""
    today = timezone.localdate()
    values = {
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=30),
        "posts_required": 2,
        "hashtags": [],
        "countries": ["US"],
        **fields,
    }
    campaign = make_campaign(workspace, **values)
    creators = [
        Creator.objects.create(workspace=workspace, handle=h, name=h.title()) for h in handles
    ]
    campaigns.add_creators(campaign, creators)
    return campaign


def link_directly(campaign, handle: str) -> InviteLink:
    """What provisioning does, inline: a sandbox campaign object for one creator's link."""
    creator = Creator.objects.get(workspace=campaign.workspace, handle=handle)
    with TikTokClient.from_settings(ACCESS_TOKEN) as client:
        made = client.create_campaign(
            ACCOUNT_ID, f"{campaign.name} · @{handle}", [handle], campaign_type="CAMPAIGN"
        )
    return InviteLink.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        creator=creator,
        sequence=1,
        status="active",
        tiktok_campaign_id=made.campaign_id,
        url=made.invite_link,
    )


def publish_as_post(sandbox, link: InviteLink) -> Post:
    """The creator publishes through the link; the post as attribution records it."""
    video = sandbox.publish(link.creator.handle, invite_link=link.url)
    return Post.objects.create(
        workspace=link.workspace,
        campaign=link.campaign,
        creator=link.creator,
        invite_link=link,
        tiktok_campaign_id=link.tiktok_campaign_id,
        video_id=video["video_id"],
        linked_via="invite_link",
        found_by="webhook",
        published_at=timezone.now(),
    )


@pytest.fixture
def inline_sync(settings):
    """Reports read in the test's thread (and transaction): no pool."""
    settings.INSIGHTS_SYNC_CONCURRENCY = 1
