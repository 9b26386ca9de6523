"""Sortable columns in the browser: clicking a header sorts the list, a second click
reverses it, and the search stays applied."""

import pytest

from tests.browser.support import log_in
from tests.campaigns.factories import make_creators

pytestmark = pytest.mark.browser


def test_clicking_a_creators_header_sorts_and_keeps_the_search(page, actors):
    make_creators(actors.workspace, 12)
    log_in(page, "viewer@acme.test")
    page.goto("/w/acme/creators/?q=creator_1")
    handles = page.locator("table.creators tbody tr td:nth-child(3)")
    assert handles.first.inner_text() == "@creator_1"

    page.click("th >> a:has-text('TikTok handle')")
    page.wait_for_url("**sort=handle**")
    assert page.locator("th[aria-sort=ascending]").text_content().startswith("TikTok handle")
    page.click("th >> a:has-text('TikTok handle')")
    page.wait_for_url("**sort=-handle**")
    assert page.locator("th[aria-sort=descending]").count() == 1
    assert handles.all_inner_texts() == ["@creator_12", "@creator_11", "@creator_10", "@creator_1"]
    assert "q=creator_1" in page.url
