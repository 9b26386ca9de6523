"""Enable TikTok on a campaign, watch its invite links being provisioned by a real worker,
copy one, and open the sandbox's creator page behind it."""

from datetime import date

import pytest

from inviteflow.campaigns.models import Campaign, CampaignCreator
from inviteflow.creators.models import Creator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(workspace):
    campaign = Campaign.objects.create(
        workspace=workspace,
        name="Spring Launch",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
        posts_required=12,
        hashtags=["springlaunch"],
    )
    ada = Creator.objects.create(workspace=workspace, name="Ada Lovelace", handle="ada.makes")
    CampaignCreator.objects.create(campaign=campaign, creator=ada)
    return campaign


def test_enable_tiktok_watch_links_copy_and_open(
    page, browser, actors, campaign, tiktok_connected, live_sandbox, start_worker
):
    start_worker()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/login/")
    page.fill("input[name=username]", "manager@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/acme/")

    page.goto(f"/w/acme/campaigns/{campaign.pk}/edit/")
    page.check("input[name=tiktok_enabled]")
    page.click("button.primary:has-text('Save')")
    page.wait_for_selector("h1:has-text('Spring Launch')")
    page.wait_for_selector("#provisioning-count:has-text('2 of 2 ready')", timeout=60_000)

    first = page.locator("#roster .invite-link").first
    url = first.locator("input.link-url").input_value()
    assert url.startswith(live_sandbox.url + "/t/")
    first.locator("button.copy").click()
    page.wait_for_selector("button.copy:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert "0/10" in first.inner_text()

    page.goto(url)
    assert "Spring Launch" in page.content()
    assert page.locator("form").count() >= 1  # the creator joins and publishes here
