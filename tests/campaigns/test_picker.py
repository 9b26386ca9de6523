"""The roster picker (issue 15, defect 4): ticks survive searching and paging, and "add all
N matching" adds every creator the search matches, the search applied again on submit."""

import pytest
from django.urls import reverse

from inviteflow.campaigns import services
from inviteflow.campaigns.models import Campaign
from tests.campaigns.factories import make_campaign, make_creator, make_creators

HTMX = {"HX-Request": "true"}


def url(campaign: Campaign, slug: str = "acme") -> str:
    return reverse("roster_add", args=[slug, campaign.pk])


@pytest.fixture
def campaign(workspace) -> Campaign:
    make_creators(workspace, 120)  # creator_1 … creator_120, three picker pages
    return make_campaign(workspace)


def handles(campaign: Campaign) -> list[str]:
    return sorted(campaign.roster.values_list("creator__handle", flat=True))


def test_ticks_on_other_pages_come_back_as_hidden_inputs(manager_client, workspace, campaign):
    first, second = (
        workspace.creators.get(handle="creator_1"),
        workspace.creators.get(handle="creator_2"),
    )
    on_page = manager_client.get(
        url(campaign), {"q": "creator_1", "creators": [first.pk, second.pk]}, headers=HTMX
    )
    page = on_page.content.decode()
    # creator_1 is listed (and stays ticked); creator_2 is not, so the form keeps it hidden.
    assert f'value="{first.pk}" checked' in page
    assert f'<input type="hidden" name="creators" value="{second.pk}">' in page
    assert "2 ticked" in page
    assert 'hx-swap-oob="true"' in page  # "Add all" follows the search


def test_pager_links_carry_the_search_and_send_the_ticks(manager_client, campaign):
    page = manager_client.get(url(campaign), {"q": "creator"}, headers=HTMX).content.decode()
    assert f'hx-get="{url(campaign)}?q=creator&amp;page=2"' in page
    assert 'hx-include="#picker [name=creators]"' in page


def test_ticks_from_several_searches_are_all_added(manager_client, workspace, campaign):
    ids = [workspace.creators.get(handle=f"creator_{n}").pk for n in (1, 77, 120)]
    response = manager_client.post(url(campaign), {"creators": ids, "match": "creator_12"})
    assert response.status_code == 302
    assert handles(campaign) == ["creator_1", "creator_120", "creator_77"]


def test_add_all_matching_applies_the_search_again(manager_client, workspace, campaign):
    services.add_creators(campaign, [workspace.creators.get(handle="creator_12")])
    make_creator(workspace, "creator_12_new")  # matches, created after the page was shown
    response = manager_client.post(
        url(campaign), {"all_matching": "1", "match": "creator_12", "posts_required": "3"}
    )
    assert response.status_code == 302
    assert handles(campaign) == ["creator_12", "creator_120", "creator_12_new"]
    assert set(
        campaign.roster.exclude(creator__handle="creator_12").values_list(
            "posts_required_override", flat=True
        )
    ) == {3}
    follow = manager_client.get(reverse("campaign_detail", args=["acme", campaign.pk]))
    assert "Added 2 creators." in follow.content.decode()


def test_add_all_without_a_search_adds_everyone_not_on_the_roster(manager_client, campaign):
    manager_client.post(url(campaign), {"all_matching": "1", "match": ""})
    assert campaign.roster.count() == 120


def test_a_bad_posts_required_adds_nobody_and_keeps_the_ticks(manager_client, workspace, campaign):
    ids = [workspace.creators.get(handle=f"creator_{n}").pk for n in (1, 2)]
    response = manager_client.post(
        url(campaign), {"creators": ids, "all_matching": "1", "posts_required": "101"}
    )
    assert response.status_code == 200 and campaign.roster.count() == 0
    page = response.content.decode()
    assert all(f'value="{pk}" checked' in page for pk in ids)


def test_viewers_and_outsiders_add_nobody(viewer_client, outsider_client, campaign):
    everyone = {"all_matching": "1", "match": ""}
    assert viewer_client.post(url(campaign), everyone).status_code == 403
    assert outsider_client.post(url(campaign), everyone).status_code == 404
    assert outsider_client.post(url(campaign, "globex"), everyone).status_code == 404
    assert campaign.roster.count() == 0
