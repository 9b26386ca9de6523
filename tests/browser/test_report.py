"""The campaign report in a browser: its charts are drawn (inline SVG, no CDN), and the CSV
and XLSX exports download, open, and carry the totals the page shows."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from inviteflow.insights.services import record_campaign_totals
from tests.conftest import PASSWORD
from tests.insights.support import AS_OF, campaign_with_posts, report_everything

pytestmark = pytest.mark.browser
COMPARED = {
    "Video views": "video_views",
    "Reach": "reach",
    "Engagements": "engagement_count",
    "Completion rate": "video_completion_rate",
    "Average view time": "average_view_time",
    "Engagement rate": "engagement_rate",
}


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 3, "bob": 2, "cy": 1})
    report_everything(campaign, views=lambda i: 700 * (i + 1))
    record_campaign_totals(campaign, ["US"])
    report_everything(
        campaign,
        views=lambda i: 1300 * (i + 1),
        video_completion_rate=0.42,
        at=AS_OF + timedelta(hours=6),
    )
    record_campaign_totals(campaign, ["US"])
    return campaign


def page_totals(page) -> dict[str, float]:
    found = {}
    for key in COMPARED.values():
        found[key] = float(page.get_attribute(f"dd[data-metric={key}]", "data-value"))
    return found


def download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return open(info.value.path(), "rb").read()


def test_report_charts_and_exports(page, actors, campaign):
    page.goto("/login/")
    page.fill("input[name=username]", "viewer@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    page.click("a.button:has-text('Report')")
    page.wait_for_selector("h1:has-text('Report: Spring Launch')")

    assert page.locator("svg.chart[role=img]").count() == 7
    assert page.locator("#views-over-time svg polyline").count() == 1
    assert page.locator("#campaign-gender svg rect").count() == 2
    assert (
        page.locator("#views-over-time svg title").first.text_content() == "Video views over time"
    )
    assert page.locator("svg.chart").first.bounding_box()["width"] > 200  # laid out, visible
    shown = page_totals(page)
    assert shown["video_views"] == 1300 * (1 + 2 + 3 + 4 + 5 + 6)

    rows = list(csv.reader(io.StringIO(download(page, "#export-csv").decode())))
    in_csv = {row[0]: row[1] for row in rows if len(row) == 2}
    workbook = load_workbook(io.BytesIO(download(page, "#export-xlsx")), read_only=True)
    in_xlsx = {row[0]: row[1] for row in workbook["Totals"].iter_rows(values_only=True) if row}
    for label, key in COMPARED.items():
        # The CSV is rounded as the XLSX shows it: rates to 0.01 %, times to 0.1 s.
        rounding = 0.05 if key == "average_view_time" else 0.00005
        assert float(in_csv[label]) == pytest.approx(shown[key], abs=rounding), label
        assert float(in_xlsx[label]) == pytest.approx(shown[key]), label
    assert len(rows) - rows.index(["Posts"]) - 2 == 6
    assert len(list(workbook["Posts"].iter_rows(values_only=True))) == 7

    page.click("#report-posts tbody tr:first-child a")  # the most viewed post
    page.wait_for_selector("h2:has-text('Latest figures')")
    assert page.locator("svg.chart[role=img]").count() == 7
    assert page.get_attribute("dd[data-metric=video_views]", "data-value") == str(1300 * 6)
