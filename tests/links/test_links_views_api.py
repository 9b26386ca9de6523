"""Invite links on the Campaign Details page and in the API, for every actor."""

from datetime import date
from xml.etree import ElementTree

import pytest

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink


@pytest.fixture
def campaign(workspace):
    return Campaign.objects.create(
        workspace=workspace,
        name="Spring Launch",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
        posts_required=12,
        tiktok_enabled=True,
    )


@pytest.fixture
def links(campaign, workspace):
    ada = Creator.objects.create(workspace=workspace, name="Ada", handle="ada")
    bob = Creator.objects.create(workspace=workspace, name="Bob", handle="invalid_bob")
    CampaignCreator.objects.create(campaign=campaign, creator=ada)
    CampaignCreator.objects.create(campaign=campaign, creator=bob)
    make = InviteLink.objects.create
    return [
        make(
            workspace=workspace,
            campaign=campaign,
            creator=ada,
            sequence=1,
            status="exhausted",
            url="https://sandbox.test/t/aaa/",
            posts_used=10,
            tiktok_campaign_id="7000000000000000011",
        ),
        make(
            workspace=workspace,
            campaign=campaign,
            creator=ada,
            sequence=2,
            status="active",
            url="https://sandbox.test/t/bbb/",
            posts_used=2,
            tiktok_campaign_id="7000000000000000012",
        ),
        make(
            workspace=workspace,
            campaign=campaign,
            creator=bob,
            sequence=1,
            status="failed",
            failure_code="invalid_handle",
            failure_message="TikTok could not invite @invalid_bob",
        ),
    ]


def detail(client, campaign, query=""):
    return client.get(f"/w/acme/campaigns/{campaign.pk}/{query}")


def test_details_page_shows_links_progress_and_failure(viewer_client, campaign, links):
    page = detail(viewer_client, campaign).content.decode()
    assert "https://sandbox.test/t/bbb/" in page and "2/10" in page and "10/10" in page
    assert "TikTok could not invite @invalid_bob" in page
    assert "2 of 3 ready" in page
    assert "Retry failed" not in page  # viewers get no write controls


@pytest.mark.parametrize(
    "state, shown, hidden",
    [
        ("failed", "invalid_bob", "@ada"),
        ("exhausted", "@ada", "invalid_bob"),
        ("no_link", "invalid_bob", "@ada"),
    ],
)
def test_roster_filters(viewer_client, campaign, links, state, shown, hidden):
    page = detail(viewer_client, campaign, f"?links={state}").content.decode()
    roster = page[page.index('id="roster"') :]
    assert shown in roster and hidden not in roster


def test_qr_code_is_an_svg_of_the_link(viewer_client, campaign, links):
    response = viewer_client.get(f"/w/acme/campaigns/{campaign.pk}/links/{links[1].pk}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    # A standalone document: without the namespace an <img> shows nothing (issue #15).
    svg = ElementTree.fromstring(response.content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox")


def test_manager_retries_failed_links(manager_client, campaign, links):
    response = manager_client.post(f"/w/acme/campaigns/{campaign.pk}/links/retry-failed/")
    assert response.status_code == 302
    assert InviteLink.objects.get(pk=links[2].pk).status == "pending"


def test_viewer_cannot_retry(viewer_client, campaign, links):
    assert (
        viewer_client.post(f"/w/acme/campaigns/{campaign.pk}/links/retry-failed/").status_code
        == 403
    )
    assert InviteLink.objects.get(pk=links[2].pk).status == "failed"


@pytest.mark.parametrize("path", ["", "links/provisioning/", "links/{link}/qr.svg"])
def test_outsider_gets_404(outsider_client, campaign, links, path):
    url = f"/w/acme/campaigns/{campaign.pk}/" + path.format(link=links[0].pk)
    assert outsider_client.get(url).status_code == 404
    url = f"/w/globex/campaigns/{campaign.pk}/" + path.format(link=links[0].pk)
    assert outsider_client.get(url).status_code == 404


def test_outsider_cannot_retry_through_own_workspace(outsider_client, campaign, links):
    assert (
        outsider_client.post(f"/w/globex/campaigns/{campaign.pk}/links/retry-failed/").status_code
        == 404
    )
    assert InviteLink.objects.get(pk=links[2].pk).status == "failed"


class TestApi:
    def test_lists_links_with_the_public_fields(self, api, campaign, links):
        body = api.get(f"/campaigns/{campaign.pk}/invite-links").json()
        assert body["count"] == 3
        first = body["items"][0]
        assert {"id", "creator_id", "url", "max_posts", "posts_used", "status"} <= set(first)
        assert [i["status"] for i in body["items"]] == ["exhausted", "active", "failed"]

    def test_filter_by_creator(self, api, campaign, links):
        body = api.get(
            f"/campaigns/{campaign.pk}/invite-links?creator_id={links[2].creator_id}"
        ).json()
        assert [i["id"] for i in body["items"]] == [links[2].pk]

    def test_progress(self, api, campaign, links):
        body = api.get(f"/campaigns/{campaign.pk}/invite-links/progress").json()
        assert body["total"] == 3 and body["done"] == 3 and body["failed"] == 1

    def test_outsider_key_gets_404(self, outsider_api, campaign, links):
        assert outsider_api.get(f"/campaigns/{campaign.pk}/invite-links").status_code == 404
        assert (
            outsider_api.post(f"/campaigns/{campaign.pk}/invite-links/retry-failed").status_code
            == 404
        )

    def test_read_only_key_cannot_retry(self, readonly_api, campaign, links):
        assert (
            readonly_api.post(f"/campaigns/{campaign.pk}/invite-links/retry-failed").status_code
            == 403
        )
        assert InviteLink.objects.get(pk=links[2].pk).status == "failed"
