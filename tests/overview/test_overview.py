"""The overview (the workspace's home): campaigns in flight with their figures, and a
"needs attention" list whose every item links to the page where it is fixed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inviteflow.campaigns.models import Campaign
from inviteflow.outreach.models import OutboxMessage
from tests.compliance.support import flag_post
from tests.insights.support import report_everything
from tests.outreach.factories import add_campaign, add_creator
from tests.posts.factories import add_link, add_post

pytestmark = pytest.mark.django_db


def overview_url(slug: str = "acme") -> str:
    return reverse("overview", args=[slug])


def campaign_in_flight(workspace, name: str = "Spring Launch", ends_in_days: int = 20) -> Campaign:
    """Ada delivered 2 of 2, Bob 0 of 2 with a post at risk, Cy's link failed, Di's pending."""
    today = timezone.localdate()
    campaign = add_campaign(
        workspace,
        name=name,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=ends_in_days),
        posts_required=2,
        hashtags=["springlaunch"],
        countries=["US"],
        tiktok_enabled=True,
    )
    prefix = name.split()[0].lower()
    people = {h: add_creator(workspace, f"{prefix}{h}") for h in ("ada", "bob", "cy", "di")}
    campaign.roster.bulk_create(
        campaign.roster.model(campaign=campaign, creator=c) for c in people.values()
    )
    link = add_link(campaign, f"{prefix}ada")
    published = today - timedelta(days=2)
    add_post(link, published=published)
    add_post(link, published=published)
    add_link(campaign, f"{prefix}bob")
    add_link(campaign, f"{prefix}cy", status="failed", url="", failure_message="Unknown handle")
    add_link(campaign, f"{prefix}di", status="pending", url="")
    report_everything(campaign, views=lambda i: 1000)  # the two linked posts, in the US
    flag_post(campaign, f"{prefix}bob")
    return campaign


def test_a_new_workspace_gets_a_way_to_start(owner_client, viewer_client):
    page = owner_client.get(overview_url()).content.decode()
    assert "No campaign in flight" in page
    assert reverse("campaign_create", args=["acme"]) in page
    assert reverse("tiktok_settings", args=["acme"]) in page  # not connected yet
    assert "Nothing yet" in page
    assert (
        reverse("campaign_create", args=["acme"])
        not in viewer_client.get(overview_url()).content.decode()
    )


def test_a_campaign_in_flight_shows_its_figures(workspace, viewer_client):
    campaign = campaign_in_flight(workspace)
    response = viewer_client.get(overview_url())
    row = response.context["overview"].campaigns[0]
    assert (row.pk, row.roster_size, row.required, row.delivered) == (campaign.pk, 4, 8, 2)
    assert (row.links_pending, row.links_failed, row.at_risk) == (1, 1, 1)
    assert (row.reach.region, row.reach.views, row.reach.posts) == ("US", 2000, 2)
    page = response.content.decode()
    assert "2/8" in page and "1 pending" in page and "1 failed" in page and "1 at risk" in page
    assert "2,000" in page


def test_needs_attention_links_each_problem_to_its_fix(workspace, viewer_client):
    campaign = campaign_in_flight(workspace, ends_in_days=3)
    OutboxMessage.objects.create(
        workspace=workspace,
        campaign=campaign,
        idempotency_key="failed-1",
        to_email="x@creators.test",
        subject="Hi",
        body="Hi",
        status=OutboxMessage.Status.FAILED,
    )
    attention = viewer_client.get(overview_url()).context["overview"].attention
    by_kind = {item.kind: item for item in attention}
    assert set(by_kind) == {"failed_links", "at_risk", "owing", "failed_emails"}
    detail = reverse("campaign_detail", args=["acme", campaign.pk])
    assert by_kind["failed_links"].url == f"{detail}?links=failed"
    at_risk = campaign.posts.get(compliance="at_risk")
    compliance = reverse("compliance_campaign", args=["acme", campaign.pk])
    assert by_kind["at_risk"].url == f"{compliance}#at-risk-{at_risk.pk}"
    assert by_kind["at_risk"].due == at_risk.finding.takedown_at
    assert "3 creators still owe" in by_kind["owing"].text  # Bob, Cy and Di; Ada delivered
    assert by_kind["owing"].url == reverse("campaign_progress", args=["acme", campaign.pk])
    assert by_kind["failed_emails"].url == reverse("outbox", args=["acme"]) + "?status=failed"


def test_creators_owing_posts_far_from_the_end_are_not_urgent(workspace, viewer_client):
    campaign_in_flight(workspace, ends_in_days=20)
    kinds = {item.kind for item in viewer_client.get(overview_url()).context["overview"].attention}
    assert "owing" not in kinds


def test_completed_campaigns_are_not_in_flight(workspace, viewer_client):
    campaign = campaign_in_flight(workspace)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.COMPLETED)
    assert viewer_client.get(overview_url()).context["overview"].campaigns == []


def test_queries_do_not_grow_with_campaigns(
    workspace, viewer_client, django_assert_max_num_queries
):
    campaign_in_flight(workspace, "One campaign")
    with django_assert_max_num_queries(12) as one:
        viewer_client.get(overview_url())
    for name in ("Two campaign", "Three campaign", "Four campaign", "Five campaign"):
        campaign_in_flight(workspace, name, ends_in_days=3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = viewer_client.get(overview_url())
    assert len(page.context["overview"].campaigns) == 5


def test_another_workspace_sees_nothing(workspace, outsider_client):
    campaign_in_flight(workspace)
    assert outsider_client.get(overview_url()).status_code == 404
    page = outsider_client.get(overview_url("globex")).content.decode()
    assert "Spring Launch" not in page and "No campaign in flight" in page
