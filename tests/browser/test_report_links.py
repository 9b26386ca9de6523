"""A manager shares a campaign's report: the link opens in a fresh browser (not logged in)
as a read-only page without workspace navigation or creators' emails, under the strict
policy, and stops working once revoked."""

import pytest

from inviteflow.creators.models import Creator
from inviteflow.insights.services import record_campaign_totals
from tests.browser.support import log_in
from tests.browser.test_csp import STRICT, Violations
from tests.insights.support import campaign_with_posts, report_everything

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 2, "bob": 1})
    Creator.objects.filter(workspace=workspace).update(email="someone@creators.test")
    report_everything(campaign)
    record_campaign_totals(campaign, ["US"])
    return campaign


def test_a_shared_report_opens_without_login_and_stops_when_revoked(
    page, browser, live_server, campaign
):
    log_in(page, "manager@acme.test")
    page.goto(f"/w/acme/insights/campaigns/{campaign.pk}/")
    page.select_option("select[name=expires_in_days]", "30")
    assert page.is_checked("input[name=hide_contacts]")  # left out unless asked
    page.click("button:has-text('Create a link')")
    url = page.locator("#report-link-url").text_content()
    assert url.startswith(live_server.url + "/r/")
    assert page.locator("tr[data-report-link]").count() == 1

    # No session (nobody logged in), on a phone.
    stranger = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        shared = stranger.new_page()
        violations = Violations(shared)
        answer = shared.goto(url)
        assert answer.status == 200
        assert all(d in answer.headers["content-security-policy"] for d in STRICT)
        assert answer.headers["x-robots-tag"] == "noindex, nofollow"
        shared.wait_for_selector("h1:has-text('Report: Spring Launch')")
        assert shared.locator("svg.chart[role=img]").count() == 7
        assert shared.locator("tr[data-creator]").count() == 2
        assert shared.locator("nav.mainnav, header.topbar, form").count() == 0
        assert shared.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
        assert "someone@creators.test" not in shared.content()
        assert violations.of_page() == []
        sideways = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        assert not shared.evaluate(sideways)

        page.click("tr[data-report-link] button:has-text('Revoke')")
        page.wait_for_selector("tr[data-report-link] .badge:has-text('revoked')")
        gone = shared.goto(url)
        assert gone.status == 404
        assert shared.locator("h1").text_content() == "Page not found"
    finally:
        stranger.close()
