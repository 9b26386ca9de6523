"""TikTok failing a fifth of the time and answering slowly: reads get through in the end, and
no background task dies on an unhandled exception (contract §2: errors arrive as envelopes)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.campaigns import services as campaigns
from inviteflow.compliance.tasks import scan_campaign
from inviteflow.creators.models import Creator
from inviteflow.insights.tasks import sync_campaign_insights
from inviteflow.links.models import InviteLink
from inviteflow.links.tasks import provision_links
from inviteflow.posts.models import Post
from inviteflow.posts.tasks import sync_campaign_posts

pytestmark = pytest.mark.django_db(transaction=True)


def test_tasks_survive_errors_and_latency(tiktok_connected, live_sandbox, workspace, settings):
    today = timezone.now().date()
    campaign = campaigns.create_campaign(
        workspace,
        name="Rough Week",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        hashtags="roughweek",
        status="active",
    )
    people = [
        Creator.objects.create(workspace=workspace, name=f"C{i}", handle=f"rough_{i}")
        for i in range(8)
    ]
    campaigns.add_creators(campaign, people)
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    provision_links.call(campaign.pk)
    for link in InviteLink.objects.filter(campaign=campaign):
        live_sandbox.publish(
            link.creator.handle, invite_link=link.url, caption="#roughweek", hashtags=["roughweek"]
        )
    live_sandbox.advance(49)

    live_sandbox.faults(error_rate=0.2, latency_ms=300)
    for _ in range(2):
        # An unhandled exception in any of these fails the test.
        sync_campaign_posts.call(campaign.pk, force=True)
        sync_campaign_insights.call(campaign.pk)
        scan_campaign.call(campaign.pk)

    assert Post.objects.filter(campaign=campaign).count() == 8
    by_code = live_sandbox.stats()["by_code"]
    assert by_code.get("50000", 0) + by_code.get("50002", 0) > 0, "no error was injected"
