"""Issue 15 in the browser, the defects the view tests covered only over HTTP: the template
preview shows no raw `{# … #}` comment (3); Remedies, the insights header, a creator's status
and the Compliance card say what is true (6); a brand name added in Settings flags a post and is
named (10); Send email starts on the invite, errors are styled, the favicon loads and a report
without figures says "never" (12)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inviteflow.compliance.models import ComplianceScan
from inviteflow.insights.tasks import sync_campaign_insights
from inviteflow.outreach.models import OutboxMessage
from inviteflow.tiktok.models import TikTokConnection
from inviteflow.tiktok.ratelimit import get_limiter
from tests.browser.support import log_in
from tests.campaigns.test_card_states import remedy_with_email
from tests.compliance.support import scan
from tests.insights.conftest import inline_sync, link_directly, publish_as_post, tiktok_campaign
from tests.outreach.factories import add_campaign, roster, template
from tests.posts.conftest import immediate_tasks, posts_sandbox, world
from tests.posts.factories import campaign_with

pytestmark = pytest.mark.browser
__all__ = ["immediate_tasks", "inline_sync", "posts_sandbox", "world"]  # fixtures


@pytest.fixture
def connected(actors):
    """A TikTok campaign with ada and bob on the roster, acme connected (no TikTok needed)."""
    TikTokConnection.objects.create(workspace=actors.workspace, account_id="1", access_token="t")
    return campaign_with(actors.workspace, {"ada": 2, "bob": 1})


def compliance_card(page, campaign):
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    card = page.locator("section#compliance-panel")
    card.wait_for()
    return card


# -- Defect 3 ---------------------------------------------------------------------------------


def test_template_preview_shows_no_raw_comment(page, actors):
    body = "Hi {{ creator.first_name }}\n{# a note for the team:\n   not for creators #}\nBye"
    saved = template(actors.workspace, "Commented", body=body)
    log_in(page, "viewer@acme.test")
    page.goto(f"/w/acme/outreach/templates/{saved.pk}/preview/")
    preview = page.locator(".preview-body")
    preview.wait_for()
    assert "Bye" in preview.inner_text()
    shown = page.locator("body").inner_text()
    assert "{#" not in shown and "#}" not in shown
    assert "not for creators" not in shown and "htmx listens" not in shown


# -- Defect 6 ---------------------------------------------------------------------------------


def test_remedies_say_sent_once_the_outbox_says_sent(page, connected):
    remedy_with_email(connected, OutboxMessage.Status.SENT)
    log_in(page)
    page.goto(f"/w/acme/compliance/campaigns/{connected.pk}/")
    email = page.locator("table.remedies tbody tr td").last
    assert email.inner_text().strip() == "sent"


def test_insights_header_counts_posts_once_across_regions(
    page, live_sandbox, tiktok_connected, actors, inline_sync
):
    campaign = tiktok_campaign(actors.workspace, ["ada", "bob"], countries=["US", "GB"])
    for handle in ("ada", "bob"):
        link = link_directly(campaign, handle)
        for _ in range(4):
            publish_as_post(live_sandbox, link)
    live_sandbox.advance(49)
    sync_campaign_insights.call(campaign.pk)  # 8 posts × 2 regions: 16 rows
    log_in(page)
    page.goto(f"/w/acme/insights/campaigns/{campaign.pk}/")
    totals = page.locator(".report-totals dd[data-metric=posts]").get_attribute("data-value")
    assert totals == "8"
    header = page.locator("#insights-sync").inner_text()
    assert "8 posts reported" in header and "16 posts" not in header


def test_a_creator_with_published_posts_is_not_joined_nothing_published(page, world):
    campaign = world.campaign({"ada": 3})
    world.publish(campaign.invite_links.get(), 2)
    world.deliver(world.sandbox.deliveries())
    world.sandbox.advance(49)
    world.sync(campaign)
    log_in(page)
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    status = page.locator("#post-progress tbody tr td[data-label=Status] summary")
    assert status.inner_text().startswith("Posted 2 posts, nothing new since")
    assert "Joined, nothing new published" not in page.locator("#post-progress").inner_text()


def test_compliance_is_not_checked_yet_before_any_scan(page, connected):
    log_in(page)
    title = compliance_card(page, connected).locator("h2")
    assert "not checked yet" in title.inner_text()
    assert "nothing at risk" not in title.inner_text()


def test_compliance_is_nothing_at_risk_after_a_scan(page, connected):
    now = timezone.now()
    ComplianceScan.objects.create(
        workspace=connected.workspace,
        campaign=connected,
        started_at=now - timedelta(minutes=1),
        finished_at=now,
    )
    log_in(page)
    card = compliance_card(page, connected)
    assert "nothing at risk" in card.locator("h2").inner_text()
    assert f"Scanned at {timezone.localtime(now):%H:%M}" in card.inner_text()


def test_compliance_says_paused_until_when_and_why_while_scans_are_paused(page, connected):
    now = timezone.now()
    ComplianceScan.objects.create(
        workspace=connected.workspace,
        campaign=connected,
        started_at=now,
        finished_at=now,
        last_error="Paused by TikTok's rate limit",
    )
    get_limiter().start_cooldown(600)
    until = timezone.localtime(timezone.now() + timedelta(seconds=600))  # a moment after its end
    log_in(page)
    card = compliance_card(page, connected)
    assert "scans paused" in card.locator("h2").inner_text()
    paused = card.locator(".work-state").inner_text()
    assert paused.startswith("Paused until ") and "TikTok's rate limit" in paused
    assert paused.split()[2] in {f"{until:%H:%M}", f"{until - timedelta(minutes=1):%H:%M}"}
    assert "nothing at risk" not in card.inner_text()


# -- Defect 10 --------------------------------------------------------------------------------


def test_a_brand_name_added_in_settings_flags_a_post_and_names_the_signal(page, world):
    campaign = world.campaign({"ada": 1})
    log_in(page)
    page.goto("/w/acme/settings/")
    page.get_by_role("link", name="Compliance signals →").click()
    page.fill("textarea[name=brand_names]", "Demo Brand")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator("textarea[name=brand_names]").input_value() == "Demo Brand"

    world.sandbox.publish("ada", caption="Demo Brand glow #sponsored")
    assert scan(world, campaign)["found"] == 1
    page.goto(f"/w/acme/compliance/campaigns/{campaign.pk}/")
    signal = page.locator("table.at-risk-table .tag.signal").first
    assert signal.inner_text().split() == ["Demo", "Brand", "brand", "name"]


# -- Defect 12 --------------------------------------------------------------------------------


def test_send_email_starts_on_the_tiktok_invite(page, actors):
    campaign = add_campaign(actors.workspace)
    roster(campaign, "ada")
    log_in(page)
    page.goto(f"/w/acme/outreach/campaigns/{campaign.pk}/send/")
    chosen = page.locator("select[name=template] option:checked").inner_text()
    assert chosen == "TikTok invite"


def test_a_missing_page_is_the_styled_404(page, actors):
    log_in(page)
    stylesheets = []
    page.on("response", lambda r: r.url.endswith("/app.css") and stylesheets.append(r.status))
    response = page.goto("/w/acme/no-such-page/")
    assert response.status == 404 and stylesheets == [200]
    assert page.locator("h1").inner_text() == "Page not found"
    code = page.locator(".error-page .error-code")
    assert code.evaluate("e => getComputedStyle(e).fontWeight") == "700"  # app.css applies
    assert page.get_by_role("link", name="Go to your workspace").is_visible()


LOADS_AS_IMAGE = """src => new Promise(done => {
  const image = new Image();
  image.onload = () => done(image.naturalWidth);
  image.onerror = () => done(0);
  image.src = src;
})"""


def test_the_favicon_loads(page, actors):
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    log_in(page)
    named = page.locator("link[rel=icon]").get_attribute("href")
    assert page.evaluate(LOADS_AS_IMAGE, named) > 0
    assert page.evaluate(LOADS_AS_IMAGE, "/favicon.ico") > 0  # what browsers ask by default
    assert failed == []


def test_a_report_without_insights_says_never(page, actors):
    campaign = add_campaign(actors.workspace, tiktok_enabled=True)
    log_in(page)
    page.goto(f"/w/acme/insights/campaigns/{campaign.pk}/")
    assert page.locator(".report-totals .as-of").inner_text() == "never"
    assert "as of never" not in page.locator("body").inner_text()
