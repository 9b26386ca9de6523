"""An insights refresh on its way shows on the campaign's report, read from the database: a
manager who navigates away and comes back sees it refreshing, and the line polls until done."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inviteflow.insights.models import InsightsSync
from inviteflow.tiktok.models import TikTokConnection
from tests.posts.factories import campaign_with

pytestmark = pytest.mark.django_db
POLLING = 'hx-trigger="every 2s"'


@pytest.fixture
def campaign(workspace):
    TikTokConnection.objects.create(workspace=workspace, account_id="1", access_token="t")
    return campaign_with(workspace, {"ada": 1})


def report(client, campaign) -> str:
    return client.get(reverse("campaign_report", args=["acme", campaign.pk])).content.decode()


def test_coming_back_to_the_report_shows_the_refresh_still_running(viewer_client, campaign):
    InsightsSync.objects.create(
        workspace=campaign.workspace, campaign=campaign, started_at=timezone.now()
    )
    html = report(viewer_client, campaign)
    assert "Refreshing insights from TikTok" in html and POLLING in html


def test_a_finished_refresh_does_not_poll(viewer_client, campaign):
    now = timezone.now()
    InsightsSync.objects.create(
        workspace=campaign.workspace, campaign=campaign, started_at=now, finished_at=now
    )
    html = report(viewer_client, campaign)
    assert "Insights read from TikTok" in html and POLLING not in html
