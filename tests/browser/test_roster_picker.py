"""Defect 4 in the browser: the roster picker kept only the ticks of the last search or page
("Added 1 creator" after ticking two). Ticks now survive searching and paging."""

import pytest

from inviteflow.creators.models import Creator
from tests.campaigns.factories import make_campaign, make_creators
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def picker(page, actors):
    """The manager on the Add creators page of a campaign, 60 creators to pick from."""
    make_creators(actors.workspace, 60)
    campaign = make_campaign(actors.workspace)
    page.goto("/login/")
    page.fill("input[name=username]", "manager@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/roster/add/")
    return campaign


def tick(page, handle: str) -> None:
    pk = Creator.objects.get(handle=handle).pk
    page.check(f"#picker input[type=checkbox][value='{pk}']")


def added(campaign) -> list[str]:
    return sorted(campaign.roster.values_list("creator__handle", flat=True))


def test_ticks_survive_a_search(page, picker):
    tick(page, "creator_1")
    tick(page, "creator_2")
    page.fill("input[name=q]", "creator_55")
    page.locator("#picker li").first.filter(has_text="@creator_55").wait_for()
    page.wait_for_function("document.querySelectorAll('#picker li').length === 1")
    tick(page, "creator_55")
    page.click("button.primary:has-text('Add to campaign')")
    page.wait_for_selector("text=Added 3 creators.")
    assert added(picker) == ["creator_1", "creator_2", "creator_55"]


def test_ticks_survive_a_page_change_and_add_all_matching(page, picker):
    tick(page, "creator_3")
    page.click("#picker a[rel=next]")
    page.wait_for_selector("#picker >> text=Page 2 of 2")
    tick(page, "creator_60")
    assert "2 ticked" not in page.locator("#picker").inner_text()  # counted on the next swap
    page.click("#picker a[rel=prev]")
    page.wait_for_selector("#picker >> text=2 ticked")
    page.click("button.primary:has-text('Add to campaign')")
    page.wait_for_selector("text=Added 2 creators.")
    assert added(picker) == ["creator_3", "creator_60"]

    # Everyone else matching "creator_1" (creator_1, creator_10 … creator_19): one click.
    page.goto(f"/w/acme/campaigns/{picker.pk}/roster/add/?q=creator_1")
    page.click("button.all-matching:has-text('Add all 11 matching')")
    page.wait_for_selector("text=Added 11 creators.")
    assert len(added(picker)) == 13
