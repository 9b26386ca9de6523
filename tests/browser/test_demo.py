"""Acceptance: after `make run` seeds the demo (`seed_demo --connect-sandbox`), logging in with
the printed demo login lands on the overview, which shows the demo campaign with its
attributed posts, the one post at risk and the insights TikTok reported."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from inviteflow.overview import demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_login(live_sandbox, settings, transactional_db) -> tuple[str, str]:
    settings.LINK_PROVISIONING_CONCURRENCY = settings.COMPLIANCE_SCAN_CONCURRENCY = 1
    settings.INSIGHTS_SYNC_CONCURRENCY = settings.OUTREACH_SMTP_CONNECTIONS = 1
    out = StringIO()
    call_command("seed_demo", connect_sandbox=live_sandbox.url, stdout=out)
    email, password = re.search(r"Demo login: (\S+) / (\S+)", out.getvalue()).groups()
    return email, password


def test_the_demo_overview_shows_the_product_working(page, demo_login):
    email, password = demo_login
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/w/demo/")

    row = page.locator("table.overview-campaigns tr", has_text=demo.CAMPAIGN)
    # 2 posts each from 6 creators; Mia, Leo and Sam delivered, Ava 1 of 2.
    assert row.locator("a.delivered").inner_text() == "7/12"
    assert row.locator(".badge.bad").inner_text() == "1 at risk"
    views = row.locator("td").nth(5).inner_text()
    assert re.match(r"[\d,]+ US", views) and views != "0 US", views

    attention = page.locator(".needs-attention li.attention-at_risk")
    assert attention.count() == 1
    assert f"@{demo.AT_RISK_HANDLE}" in attention.inner_text()
    assert re.search(r"\d+.*left", attention.inner_text())

    attention.get_by_role("link", name="Send a campaign code").click()
    page.wait_for_url(re.compile(r".*/compliance/.*#at-risk-\d+"))
    assert page.locator("tr[id^=at-risk-]").count() == 1
