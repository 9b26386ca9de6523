"""Invite links being made on TikTok show their progress on the Campaign Details page, read
from the database: a manager who navigates away and comes back sees the panel still counting,
and it polls until no link is pending."""

import pytest
from django.urls import reverse

from inviteflow.links.models import InviteLink
from tests.posts.factories import add_link, campaign_with

pytestmark = pytest.mark.django_db
POLLING = 'hx-trigger="every 2s"'


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 1, "bob": 1})
    add_link(campaign, "ada")
    add_link(campaign, "bob", status=InviteLink.Status.PENDING, url="", tiktok_campaign_id="")
    return campaign


def test_coming_back_to_the_details_page_shows_links_still_being_made(viewer_client, campaign):
    html = viewer_client.get(reverse("campaign_detail", args=["acme", campaign.pk])).content
    panel = html.decode().split('id="provisioning"', 1)[1].split("</section>", 1)[0]
    assert POLLING in panel and "1 of 2 ready" in panel


def test_the_polled_panel_stops_once_every_link_is_made(viewer_client, campaign):
    url = reverse("link_provisioning", args=["acme", campaign.pk])
    assert POLLING in viewer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    InviteLink.objects.filter(status=InviteLink.Status.PENDING).update(
        status=InviteLink.Status.ACTIVE, url="https://sandbox.test/t/bob1/"
    )
    html = viewer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert POLLING not in html and "2 of 2 ready" in html
