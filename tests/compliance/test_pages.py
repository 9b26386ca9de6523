"""Compliance pages: the campaign's compliance view, its summary on the Campaign Details page,
Scan now and the remedy buttons. Outsiders get 404, viewers may look but not act, and
nothing changes when they are refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from inviteflow.compliance.models import ComplianceScan, LinkRequest, Remedy
from inviteflow.tiktok.models import TikTokConnection
from tests.compliance.support import flag_post
from tests.posts.factories import add_link, add_post, campaign_with


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 1, "bob": 1})
    add_post(add_link(campaign, "ada"))
    add_link(campaign, "bob")
    flag_post(campaign, "bob", hours_ago=10)
    flag_post(campaign, "ada", hours_ago=60)
    return campaign


def url(name, obj, slug="acme"):
    return reverse(name, args=[slug, obj.pk])


def test_compliance_page_lists_posts_at_risk_oldest_first_with_time_left(manager_client, campaign):
    page = manager_client.get(url("compliance_campaign", campaign)).content.decode()
    assert "2 at risk" in page and '<span class="badge ok">1</span> compliant' in page
    rows = [campaign.posts.get(creator__handle=h, compliance="at_risk").pk for h in ("ada", "bob")]
    assert page.index(f'id="at-risk-{rows[0]}"') < page.index(f'id="at-risk-{rows[1]}"')
    assert "11\xa0hours" in page and "2\xa0days" in page  # left of the 72 h grace period
    assert "#springlaunch" in page and "Send campaign code" in page
    assert "Send linking request" in page and "Remedies sent" in page


def test_viewers_see_the_page_without_buttons(viewer_client, campaign):
    page = viewer_client.get(url("compliance_campaign", campaign)).content.decode()
    assert "2 at risk" in page and "Send campaign code" not in page and "Scan now" not in page


def test_details_page_loads_the_summary_after_the_page(manager_client, campaign):
    page = manager_client.get(reverse("campaign_detail", args=["acme", campaign.pk])).content
    assert f'hx-get="{url("compliance_summary", campaign)}"'.encode() in page
    summary = manager_client.get(
        url("compliance_summary", campaign), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in summary and "2 at risk" in summary and "Compliance details" in summary
    assert 'name="view" value="summary"' in summary


def test_summary_query_count_does_not_grow_with_posts(
    viewer_client, workspace, django_assert_max_num_queries
):
    small = campaign_with(workspace, {"a1": 1})
    flag_post(small, "a1")
    big = campaign_with(workspace, {f"b{i}": 1 for i in range(12)}, name="Big")
    for i in range(12):
        flag_post(big, f"b{i}")
    with CaptureQueriesContext(connection) as baseline:
        viewer_client.get(url("compliance_campaign", small))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert viewer_client.get(url("compliance_campaign", big)).status_code == 200


def test_scan_now_queues_a_scan(manager_client, campaign, django_capture_on_commit_callbacks):
    TikTokConnection.objects.create(workspace=campaign.workspace, account_id="1", access_token="t")
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(url("compliance_scan", campaign))
    assert answer.status_code == 302
    tasks = DBTaskResult.objects.filter(task_path="inviteflow.compliance.tasks.scan_campaign")
    assert [t.args_kwargs["args"] for t in tasks] == [[campaign.pk]]
    htmx = manager_client.post(
        url("compliance_scan", campaign), {"view": "summary"}, headers={"HX-Request": "true"}
    )
    assert b"Queued, starting shortly" in htmx.content and b"every 3s" in htmx.content


def test_a_remedy_without_tiktok_says_why_in_the_panel(manager_client, campaign):
    post = campaign.posts.get(creator__handle="bob")
    answer = manager_client.post(
        url("compliance_campaign_code", post), headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and b"not connected to TikTok" in answer.content
    assert not Remedy.objects.exists()


POSTS = ["compliance_campaign_code", "compliance_link_request"]


@pytest.mark.parametrize("name", ["compliance_campaign", "compliance_summary"])
def test_outsiders_get_404_on_every_page(outsider_client, owner_client, campaign, name):
    assert outsider_client.get(url(name, campaign)).status_code == 404
    assert outsider_client.get(url(name, campaign, slug="globex")).status_code == 404
    assert owner_client.get(url(name, campaign)).status_code == 200


@pytest.mark.parametrize("name", POSTS)
def test_viewers_and_outsiders_cannot_send_remedies(viewer_client, outsider_client, campaign, name):
    post = campaign.posts.get(creator__handle="bob")
    assert viewer_client.post(url(name, post)).status_code == 403
    assert outsider_client.post(url(name, post)).status_code == 404
    assert outsider_client.post(url(name, post, slug="globex")).status_code == 404
    assert not Remedy.objects.exists() and not LinkRequest.objects.exists()


def test_viewers_and_outsiders_cannot_scan(
    viewer_client, outsider_client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert viewer_client.post(url("compliance_scan", campaign)).status_code == 403
        assert outsider_client.post(url("compliance_scan", campaign)).status_code == 404
        assert outsider_client.post(url("compliance_scan", campaign, "globex")).status_code == 404
    assert not ComplianceScan.objects.exists() and not DBTaskResult.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, campaign):
    answer = client.get(url("compliance_campaign", campaign))
    assert answer.status_code == 302 and "/login/" in answer["Location"]
