"""Long work shows its progress wherever it was started, after navigating away and back: a
manager sends an email to three creators, goes elsewhere while it is on its way, comes back
through the Outreach tab and sees it sending; the card follows it to the end without a reload."""

import pytest

from inviteflow.outreach import delivery
from inviteflow.outreach.models import OutreachBatch
from tests.browser.support import log_in
from tests.outreach.factories import add_campaign, roster

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(actors, settings, live_server):
    """No worker runs here: a send stays on its way until the test delivers it."""
    settings.SITE_URL = live_server.url
    settings.OUTREACH_SMTP_CONNECTIONS = 1  # the in-memory test database is not for threads
    campaign = add_campaign(actors.workspace)
    roster(campaign, "ada", "bob", "cyd")
    return campaign


def test_a_send_shows_its_progress_after_navigating_away_and_back(page, campaign):
    log_in(page, "manager@acme.test")
    page.goto(f"/w/acme/outreach/campaigns/{campaign.pk}/send/")
    page.select_option("select[name=template]", label="TikTok invite")
    page.locator("button.send-now").click()
    page.wait_for_url("**/outreach/batches/*/")
    assert page.locator(".sent-count").inner_text() == "0"

    page.get_by_role("link", name="Overview").first.click()
    page.wait_for_url("**/w/acme/")
    page.get_by_role("link", name="Outreach").first.click()
    sending = page.locator(".batch-in-progress")
    assert sending.count() == 1
    assert "3 waiting" in sending.inner_text()
    assert sending.locator(".sent-count").inner_text() == "0"

    delivery.deliver_batch(OutreachBatch.objects.get().pk)
    sending.locator(".sent-count", has_text="3").wait_for()  # polled, no reload
    assert "done" in sending.inner_text()
    assert sending.locator("[hx-trigger]").count() == 0  # settled: polling stopped
