"""Report pages through HTTP: who may see and do what, the partials, the exports, and a
query count that does not grow with the number of posts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from inviteflow.insights import rollups
from inviteflow.insights.models import InsightsSync
from inviteflow.insights.services import record_campaign_totals
from inviteflow.posts.models import Post
from inviteflow.tiktok.models import TikTokConnection
from tests.insights.support import add_post, campaign_with_posts, report_everything


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with_posts(workspace, {"ada": 2, "bob": 1})
    report_everything(campaign)
    record_campaign_totals(campaign, ["US"])
    return campaign


def urls(campaign) -> dict[str, str]:
    base = f"/w/acme/insights/campaigns/{campaign.pk}/"
    post = Post.objects.filter(campaign=campaign).first()
    return {
        "report": base,
        "csv": base + "report.csv",
        "xlsx": base + "report.xlsx",
        "post": f"/w/acme/insights/posts/{post.pk}/",
    }


def test_the_report_page_shows_totals_charts_and_tables(viewer_client, campaign):
    response = viewer_client.get(urls(campaign)["report"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-metric="video_views" data-value="6000"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert "as of 10 May 2026 12:00 UTC" in html
    assert "Refresh insights" not in html  # viewers read only
    assert html.count('data-post="') == 3 and html.count('data-creator="') == 2
    assert '<td class="num">3,000</td>' in html and '<td class="num">8.0 s</td>' in html


def test_the_campaign_details_page_links_to_the_report(viewer_client, campaign):
    html = viewer_client.get(f"/w/acme/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/w/acme/insights/campaigns/{campaign.pk}/">Report</a>' in html


def test_a_report_without_figures_yet(manager_client, workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1})
    html = manager_client.get(f"/w/acme/insights/campaigns/{campaign.pk}/").content.decode()
    assert "No figures from TikTok yet" in html and "1 linked post not reported" in html
    assert "Refresh insights" in html
    assert ">never</small>" in html and "as of never" not in html


def test_htmx_gets_only_the_part_it_asked_for(viewer_client, campaign):
    response = viewer_client.get(
        urls(campaign)["report"] + "?part=posts&posts_page=1", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('<div id="report-posts">') and "<html" not in html


def test_refresh_needs_a_manager_and_enqueues_a_sync(
    manager_client, viewer_client, campaign, django_capture_on_commit_callbacks
):
    TikTokConnection.objects.create(workspace=campaign.workspace, account_id="1", access_token="t")
    url = urls(campaign)["report"] + "refresh/"
    assert viewer_client.post(url).status_code == 403
    assert not InsightsSync.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = manager_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Queued, starting shortly" in response.content.decode()
    assert InsightsSync.objects.get(campaign=campaign).requested_at
    assert len(callbacks) == 1


def test_polling_reloads_the_page_once_the_refresh_is_done(viewer_client, campaign):
    InsightsSync.objects.create(workspace=campaign.workspace, campaign=campaign)
    response = viewer_client.get(
        urls(campaign)["report"] + "?part=sync&was=running", headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true"


def test_outsiders_get_404_everywhere_and_change_nothing(outsider_client, campaign):
    for name, url in urls(campaign).items():
        assert outsider_client.get(url).status_code == 404, name
    assert outsider_client.post(urls(campaign)["report"] + "refresh/").status_code == 404
    assert not InsightsSync.objects.exists()


def test_post_page_shows_latest_figures_history_and_charts(viewer_client, campaign):
    html = viewer_client.get(urls(campaign)["post"]).content.decode()
    assert "Latest figures · US" in html and "History" in html
    assert html.count('class="chart"') == 7


def test_csv_export_carries_the_page_totals(viewer_client, campaign):
    response = viewer_client.get(urls(campaign)["csv"])
    assert response["Content-Disposition"].startswith('attachment; filename="spring-launch')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    values = dict(row for row in rows if len(row) == 2)
    totals = rollups.totals(campaign, "US")
    assert int(values["Video views"]) == totals["video_views"] == 6000
    assert float(values["Completion rate"]) == pytest.approx(totals["video_completion_rate"])
    header = rows.index(["Posts"]) + 1
    assert len(rows[header + 1 :]) == 3 and rows[header][0] == "Video ID"


def test_csv_export_rounds_as_the_xlsx_shows(viewer_client, workspace):
    """XLSX cells show 0.00 %, 0.0 s and whole counts; the CSV, having no formats, rounds so."""
    campaign = campaign_with_posts(workspace, {"ada": 1})
    report_everything(campaign, video_completion_rate=0.123456789, average_view_time=8.3333333)
    text = b"".join(viewer_client.get(urls(campaign)["csv"]).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    values = dict(row for row in rows if len(row) == 2)
    assert values["Completion rate"] == "0.1235" and values["Average view time"] == "8.3"
    post = dict(zip(rows[rows.index(["Posts"]) + 1], rows[-1], strict=True))
    assert post["Completion rate"] == "0.1235" and post["Average view time"] == "8.3"


def test_xlsx_export_carries_the_page_totals(viewer_client, campaign):
    response = viewer_client.get(urls(campaign)["xlsx"])
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    totals = {row[0]: row[1] for row in book["Totals"].iter_rows(values_only=True) if row}
    assert totals["Video views"] == 6000 and totals["Posts reported"] == 3
    assert len(list(book["Posts"].iter_rows(values_only=True))) == 4


def test_exports_neutralise_formulas(viewer_client, workspace):
    campaign = campaign_with_posts(workspace, {"ada": 1})
    campaign.posts.get().creator.__class__.objects.filter(handle="ada").update(name="=HYPERLINK(1)")
    report_everything(campaign)
    text = b"".join(viewer_client.get(urls(campaign)["csv"]).streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_query_count_does_not_grow_with_posts(viewer_client, workspace):
    small = campaign_with_posts(workspace, {"ada": 2})
    report_everything(small)
    big = campaign_with_posts(workspace, {f"c{i}": 3 for i in range(20)}, name="Big")
    link = big.invite_links.first()
    for _ in range(5):
        add_post(link)
    report_everything(big)

    def queries(campaign) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                viewer_client.get(f"/w/acme/insights/campaigns/{campaign.pk}/").status_code == 200
            )
        return len(captured)

    assert queries(small) == queries(big)
