"""What a campaign manager met in their first hour (issue #15), each in the browser: QR codes
that load, Copy buttons that work on plain HTTP and reset, API docs without internet, a
reload that creates nothing, and the invite links on screen on a phone."""

from urllib.parse import urlsplit

import pytest

from inviteflow.accounts.models import ApiKey
from inviteflow.campaigns.models import Campaign
from tests.browser.support import log_in
from tests.outreach.factories import add_campaign, roster

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# What a browser offers on plain HTTP at a LAN address: no asynchronous clipboard API.
NO_CLIPBOARD = "delete Navigator.prototype.clipboard;"


@pytest.fixture
def campaign(actors) -> Campaign:
    campaign = add_campaign(actors.workspace)
    roster(campaign, "ada", "bob", links=1)
    return campaign


def test_qr_code_image_loads_on_the_campaign_details_page(page, campaign):
    log_in(page, "owner@acme.test")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    qr = page.locator("#roster .invite-link details.qr").first
    qr.locator("summary").click()
    image = qr.locator("img")
    image.wait_for()
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.bounding_box()["width"] == 164


def test_copy_without_the_clipboard_api_selects_the_link_and_resets(page, campaign):
    page.add_init_script(NO_CLIPBOARD)
    log_in(page, "owner@acme.test")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    assert page.evaluate("navigator.clipboard") is None
    link = page.locator("#roster .invite-link").first
    field, button = link.locator("input.link-url"), link.locator("button.copy")
    button.click()
    assert button.inner_text() == "Copied"  # the browser copied the selection
    selected = field.evaluate("f => f.value.substring(f.selectionStart, f.selectionEnd)")
    assert selected == field.input_value() and selected.startswith("https://")
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    page.wait_for_function("b => b.textContent === 'Copy'", arg=button.element_handle())


def test_copy_with_the_clipboard_api_copies_and_resets(page, campaign):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "owner@acme.test")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    link = page.locator("#roster .invite-link").last
    button = link.locator("button.copy")
    button.click()
    page.wait_for_function("b => b.textContent === 'Copied'", arg=button.element_handle())
    assert page.evaluate("navigator.clipboard.readText()") == link.locator("input").input_value()
    page.wait_for_function(
        "b => b.textContent === 'Copy'", arg=button.element_handle(), timeout=4_000
    )


def test_api_docs_render_with_no_host_but_this_one(page, actors):
    asked_elsewhere = []

    def loopback_only(route):
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            asked_elsewhere.append(route.request.url)
            route.abort()  # as on a machine without internet

    page.context.route("**/*", loopback_only)
    page.goto("/api/v1/docs")
    # Swagger UI is a 1.4 MB script: a busy machine needs a while to run it.
    page.locator(".swagger-ui .info .title", has_text="inviteflow API").wait_for(timeout=60_000)
    page.locator(".opblock-tag", has_text="creators").first.wait_for()
    assert asked_elsewhere == []


def test_reloading_after_creating_an_api_key_creates_no_second_key(page, actors):
    page.add_init_script(NO_CLIPBOARD)
    log_in(page, "owner@acme.test")
    page.goto("/w/acme/settings/")
    page.fill("input[name=name]", "CI")
    page.click("button:has-text('Create API key')")
    key = page.locator("#new-api-key").inner_text()
    assert key.startswith("ifk_") and page.url.endswith("/w/acme/settings/")
    page.click("#new-api-key + button.copy")
    assert page.evaluate("window.getSelection().toString()") == key
    page.reload()
    assert ApiKey.objects.filter(workspace=actors.workspace).count() == 1
    assert page.locator("#new-api-key").count() == 0  # shown once
    assert page.get_by_role("cell", name="CI", exact=True).count() == 1  # one key listed


def test_invite_links_are_on_screen_on_a_phone(browser, live_server, campaign):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    log_in(page, "owner@acme.test")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    for field in page.locator("#roster input.link-url").all():
        box = field.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
