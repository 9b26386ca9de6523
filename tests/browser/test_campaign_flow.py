"""A manager logs in, creates a campaign with requirements, adds a creator, sees it on the
Campaign Details page — all through the browser."""

import pytest

from inviteflow.campaigns.models import Campaign
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, email):
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/")


def test_create_campaign_add_creator_and_see_it_on_details_page(page, actors):
    log_in(page, "manager@acme.test")
    page.goto("/w/acme/creators/")
    page.click("a.button.primary:has-text('Add creator')")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=handle]", "@Ada.Makes")
    page.fill("input[name=email]", "ada@example.com")
    page.click("button.primary:has-text('Add creator')")

    page.goto("/w/acme/campaigns/")
    page.click("a.button.primary:has-text('Create campaign')")
    page.fill("input[name=name]", "Spring Launch")
    page.fill("input[name=starts_on]", "2027-05-01")
    page.fill("input[name=ends_on]", "2027-05-31")
    page.fill("input[name=posts_required]", "12")
    page.fill("input[name=hashtags]", "#springlaunch")
    page.fill("input[name=countries]", "US, GB")
    page.click("button.primary:has-text('Create campaign')")
    page.wait_for_selector("h1:has-text('Spring Launch')")
    requirements = page.locator("body").inner_text()
    assert "#springlaunch" in requirements and "12" in requirements

    page.click("a.button.primary:has-text('Add creators')")
    page.fill("textarea[name=handles]", "@ada.makes")
    page.click("button.primary:has-text('Add to campaign')")
    page.wait_for_selector("h1:has-text('Spring Launch')")
    roster = page.locator("#roster-title").locator("xpath=ancestor::section[1]").inner_text()
    assert "Ada Lovelace" in roster and "@ada.makes" in roster

    campaign = Campaign.objects.get(workspace=actors.workspace, name="Spring Launch")
    assert list(campaign.roster.values_list("creator__handle", flat=True)) == ["ada.makes"]
    assert campaign.hashtags == ["springlaunch"] and campaign.countries == ["US", "GB"]
