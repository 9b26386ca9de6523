"""Bulk work on the Creators list in the browser: ticks on two pages (and across a sort),
a live count, then "Export selected" downloads exactly those creators."""

import csv
import io

import pytest

from inviteflow.creators.models import Creator
from tests.browser.support import log_in
from tests.campaigns.factories import make_creators

pytestmark = pytest.mark.browser


def tick(page, handle: str) -> None:
    pk = Creator.objects.get(handle=handle).pk
    page.check(f"#creator-bulk input[name=creators][value='{pk}']")


def test_select_on_two_pages_then_export(page, actors):
    make_creators(actors.workspace, 60)  # 50 a page
    log_in(page, "viewer@acme.test")
    page.goto("/w/acme/creators/")

    tick(page, "creator_1")
    tick(page, "creator_2")
    page.wait_for_selector("[data-selected-count] >> text=2 selected")
    page.click("#creator-results a[rel=next]")
    page.wait_for_selector("#creator-results >> text=Page 2 of 2")
    page.wait_for_selector("[data-selected-count] >> text=2 selected")  # kept from page 1
    tick(page, "creator_60")
    page.wait_for_selector("[data-selected-count] >> text=3 selected")
    page.click("th >> a:has-text('TikTok handle')")  # sorting keeps them too
    page.wait_for_url("**sort=handle**")
    page.wait_for_selector("[data-selected-count] >> text=3 selected")

    with page.expect_download() as download:
        page.click("button.bulk-export")
    text = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["handle"] for r in rows] == ["creator_1", "creator_2", "creator_60"]
    assert download.value.suggested_filename.startswith("creators-acme-")
