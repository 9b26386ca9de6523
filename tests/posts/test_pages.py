"""Post attribution pages: per-creator progress on the Campaign Details page, the posts list,
Sync now. Outsiders get 404, viewers may look but not sync; nothing changes when refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from inviteflow.posts import services
from inviteflow.posts.models import CampaignSync, MissingPosts
from inviteflow.tiktok.models import TikTokConnection
from tests.posts.factories import add_link, add_post, campaign_with


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 12, "bob": 1})
    first, second = add_link(campaign, "ada", 1), add_link(campaign, "ada", 2)
    for _ in range(10):
        add_post(first)
    add_post(second)
    add_post(second, hashtags=("other",))
    services.refresh_link_counters(campaign)
    services.save_missing(
        campaign,
        add_link(campaign, "bob").creator_id,
        [{"code": "not_joined", "label": "Not joined yet", "detail": "Nothing through the link."}],
    )
    return campaign


def url(name, campaign, slug="acme"):
    return reverse(name, args=[slug, campaign.pk])


def test_progress_shows_each_creator_against_what_they_owe(viewer_client, campaign):
    page = viewer_client.get(url("campaign_progress", campaign)).content.decode()
    assert "11/12" in page and "1 not counted" in page
    assert "1: 10/10 exhausted" in page and "2: 2/10" in page
    assert "Not joined yet" in page and "Nothing through the link." in page
    assert "<strong>11</strong> counted" in page
    assert "Sync now" not in page  # viewers cannot sync


def test_details_page_loads_the_posts_section(manager_client, campaign):
    page = manager_client.get(reverse("campaign_detail", args=["acme", campaign.pk])).content
    assert f'hx-get="{url("campaign_progress", campaign)}"'.encode() in page
    partial = manager_client.get(url("campaign_progress", campaign), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Sync now" in partial.content


def test_progress_query_count_does_not_grow_with_the_roster(
    viewer_client, workspace, django_assert_max_num_queries
):
    small = campaign_with(workspace, {"a1": 1})
    add_post(add_link(small, "a1"))
    big = campaign_with(workspace, {f"b{i}": 12 for i in range(30)})
    for i in range(30):
        add_post(add_link(big, f"b{i}"))
        add_link(big, f"b{i}", 2)
    with CaptureQueriesContext(connection) as baseline:
        viewer_client.get(url("campaign_progress", small))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert viewer_client.get(url("campaign_progress", big)).status_code == 200


def test_posts_list_filters_by_creator_and_state(viewer_client, campaign):
    ada = campaign.roster.get(creator__handle="ada").creator_id
    page = viewer_client.get(
        url("campaign_posts", campaign), {"creator": ada, "state": "not_counted"}
    )
    assert page.content.decode().count('<tr id="post-') == 1
    assert b"missing #springlaunch" in page.content
    assert (
        viewer_client.get(url("campaign_posts", campaign), {"state": "counted"})
        .content.decode()
        .count('<tr id="post-')
        == 11
    )


def queued_syncs() -> list:
    tasks = DBTaskResult.objects.filter(task_path="inviteflow.posts.tasks.sync_campaign_posts")
    return [task.args_kwargs["args"] for task in tasks]


def test_sync_now_queues_a_sync(manager_client, campaign, django_capture_on_commit_callbacks):
    TikTokConnection.objects.create(workspace=campaign.workspace, account_id="1", access_token="t")
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(url("campaign_posts_sync", campaign))
    assert answer.status_code == 302 and queued_syncs() == [[campaign.pk, True]]
    assert CampaignSync.objects.get(campaign=campaign).queued
    htmx = manager_client.post(url("campaign_posts_sync", campaign), headers={"HX-Request": "true"})
    assert b"Queued, starting shortly" in htmx.content


@pytest.mark.parametrize("name", ["campaign_progress", "campaign_posts"])
def test_outsiders_get_404_on_every_page(outsider_client, owner_client, campaign, name):
    assert outsider_client.get(url(name, campaign)).status_code == 404
    assert outsider_client.get(url(name, campaign, slug="globex")).status_code == 404
    assert owner_client.get(url(name, campaign)).status_code == 200


def test_viewers_and_outsiders_cannot_sync_and_nothing_changes(
    viewer_client, outsider_client, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert viewer_client.post(url("campaign_posts_sync", campaign)).status_code == 403
        assert outsider_client.post(url("campaign_posts_sync", campaign)).status_code == 404
        answer = outsider_client.post(url("campaign_posts_sync", campaign, "globex"))
    assert answer.status_code == 404
    assert not CampaignSync.objects.exists() and not queued_syncs()
    assert MissingPosts.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, campaign):
    answer = client.get(url("campaign_progress", campaign))
    assert answer.status_code == 302 and "/login/" in answer["Location"]
