"""An owner invites a client for one campaign; the client logs in and sees only that one."""

import pytest

from inviteflow.accounts.models import Membership, Role
from tests.browser.support import log_in
from tests.conftest import make_user
from tests.insights.support import campaign_with_posts

pytestmark = pytest.mark.browser


def test_a_client_sees_exactly_the_campaign_it_was_given(browser, live_server, actors):
    shared = campaign_with_posts(actors.workspace, {"ada": 1}, name="Shared Launch")
    hidden = campaign_with_posts(actors.workspace, {"bob": 1}, name="Secret Launch")

    owner = browser.new_context(base_url=live_server.url)
    page = owner.new_page()
    log_in(page, "owner@acme.test", lands_on=None)
    page.wait_for_url("**/w/acme/")
    page.goto("/w/acme/settings/")
    page.fill("input[name=email]", "client@brand.test")
    page.select_option("select[name=role]", "client")
    page.get_by_label("Shared Launch").check()
    page.click("form[action='/w/acme/settings/invite/'] button")
    invite_url = page.locator("#invite-url").inner_text()
    owner.close()

    make_user("client@brand.test")
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "client@brand.test", lands_on=None)
    page.goto(invite_url)
    page.click("text=Accept invitation")
    # One campaign: the client lands on it; the only nav is its campaigns.
    page.wait_for_url(f"**/w/acme/campaigns/{shared.pk}/")
    assert Membership.objects.get(user__email="client@brand.test").role == Role.CLIENT
    assert page.locator("h1").inner_text().startswith("Shared Launch")
    nav = page.locator(".mainnav a").all_inner_texts()
    assert nav == ["Your campaigns"]
    html = page.content()
    for closed in ("/creators/", "/settings/", "/outreach/", "Secret Launch", "Edit campaign"):
        assert closed not in html
    page.wait_for_selector("#post-progress section, #post-progress table", state="attached")

    page.click("a.button:has-text('Report')")
    page.wait_for_url(f"**/w/acme/insights/campaigns/{shared.pk}/")
    assert "Report: Shared Launch" in page.locator("h1").inner_text()

    # Anything else answers 404, as to an outsider.
    for url in (
        f"/w/acme/campaigns/{hidden.pk}/",
        "/w/acme/campaigns/",
        "/w/acme/creators/",
        "/w/acme/settings/",
        "/w/acme/outreach/outbox/",
    ):
        assert page.goto(url).status == 404, url
    context.close()
