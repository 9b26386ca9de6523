"""A manager previews the TikTok invite for a creator, sends it to three creators, finds the
emails in the Outbox and opens a creator's page."""

import pytest

from inviteflow.outreach.models import OutboxMessage
from tests.browser.support import log_in
from tests.outreach.factories import add_campaign, roster

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(actors, settings, live_server):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    settings.SITE_URL = live_server.url
    settings.OUTREACH_SMTP_CONNECTIONS = 1  # the in-memory test database is not for threads
    campaign = add_campaign(actors.workspace)
    roster(campaign, "ada", "bob", "cyd")
    return campaign


def test_preview_send_outbox_and_creator_page(page, campaign):
    log_in(page, "manager@acme.test")

    page.goto("/w/acme/outreach/templates/")
    page.locator("tr", has_text="TikTok invite").get_by_role("link", name="Preview").click()
    page.select_option("#preview-campaign", label="Spring Launch")
    page.select_option("#preview-creator", label="Bob Example (@bob)")
    subject = page.locator(".preview-subject")
    subject.filter(has_text="Bob").wait_for()
    assert subject.inner_text() == "Acme × Bob: your TikTok invite for Spring Launch"
    assert "https://www.tiktok.com/t/bob-1/" in page.locator(".preview-body").inner_text()

    page.goto(f"/w/acme/outreach/campaigns/{campaign.pk}/send/")
    page.select_option("select[name=template]", label="TikTok invite")
    send = page.locator("button.send-now")
    send.wait_for()
    assert send.inner_text() == "Send 3 emails"
    send.click()
    page.wait_for_url("**/outreach/batches/*/")
    assert page.locator(".sent-count").inner_text() == "3"

    page.get_by_role("link", name="See these emails in the Outbox →").click()
    rows = page.locator("table.outbox tbody tr")
    assert rows.count() == 3
    assert page.locator("table.outbox .badge.ok").count() == 3
    rows.filter(has_text="ada@creators.test").get_by_role("link").first.click()
    page.get_by_role("link", name="Creator's page").click()
    creator_page = page.locator("a.creator-page-url").get_attribute("href")
    page.goto(creator_page)
    assert page.locator("h1").inner_text() == "Hi Ada"
    assert page.locator(".creator-link svg").count() == 2
    assert "https://www.tiktok.com/t/ada-1/" in page.locator(".creator-links").inner_text()
    assert OutboxMessage.objects.filter(status="sent").count() == 3
