"""/api/v1/campaigns/{id}/posts, /missing and /sync: shapes, filters, and access: another
workspace's key gets 404, a read-only key may read but not sync, no key is 401."""

import pytest
from django_tasks_db.models import DBTaskResult

from inviteflow.posts import services
from inviteflow.posts.models import CampaignSync
from tests.posts.factories import add_link, add_post, campaign_with


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 12, "bob": 2})
    first, second = add_link(campaign, "ada", 1), add_link(campaign, "ada", 2)
    for _ in range(10):
        add_post(first)
    add_post(second, hashtags=())
    add_link(campaign, "bob")
    services.refresh_link_counters(campaign)
    return campaign


def ids(answer) -> list[int]:
    return sorted(item["id"] for item in answer.json()["items"])


def test_posts_carry_the_fields_integrators_rely_on(api, campaign):
    body = api.get(f"/campaigns/{campaign.pk}/posts", data={"limit": 2}).json()
    assert body["count"] == 11 and len(body["items"]) == 2
    item = body["items"][0]
    assert {
        "id",
        "video_id",
        "creator_id",
        "invite_link_id",
        "linked_via",
        "published_at",
        "counts",
        "checks",
        "compliance",
    } <= set(item)
    assert item["linked_via"] == "invite_link" and item["compliance"] == "compliant"
    assert set(item["checks"]) == {"in_window", "content_type", "hashtags"}
    assert isinstance(item["video_id"], str)


def test_posts_filter_by_creator_link_and_state(api, campaign):
    ada = campaign.roster.get(creator__handle="ada").creator_id
    second = campaign.invite_links.get(creator_id=ada, sequence=2)
    path = f"/campaigns/{campaign.pk}/posts"
    assert api.get(path, data={"creator": ada}).json()["count"] == 11
    assert api.get(path, data={"link": second.pk}).json()["count"] == 1
    failing = api.get(path, data={"state": "not_counted"}).json()["items"]
    assert [p["invite_link_id"] for p in failing] == [second.pk]
    assert failing[0]["checks"]["hashtags"] == {"result": "fail", "reason": "missing #springlaunch"}
    assert api.get(path, data={"state": "counted"}).json()["count"] == 10
    assert api.get(path, data={"state": "bogus"}).status_code == 422


def test_missing_lists_creators_who_owe_posts(api, campaign):
    bob = campaign.roster.get(creator__handle="bob").creator_id
    services.save_missing(
        campaign, bob, [{"code": "not_joined", "label": "Not joined yet", "detail": "Nothing yet."}]
    )
    body = api.get(f"/campaigns/{campaign.pk}/missing").json()
    assert body["count"] == 2
    by_handle = {item["handle"]: item for item in body["items"]}
    assert (by_handle["ada"]["posts_counted"], by_handle["ada"]["posts_required"]) == (10, 12)
    assert by_handle["ada"]["reasons"] == [] and by_handle["ada"]["checked_at"] is None
    assert by_handle["bob"]["reasons"][0]["code"] == "not_joined"


def test_sync_answers_202_and_queues_the_reconciliation(
    api, campaign, django_capture_on_commit_callbacks
):
    assert api.get(f"/campaigns/{campaign.pk}/sync").json()["requested_at"] is None
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/campaigns/{campaign.pk}/sync")
    assert answer.status_code == 202 and answer.json()["queued"] is True
    assert DBTaskResult.objects.filter(task_path__endswith="sync_campaign_posts").count() == 1
    assert api.get(f"/campaigns/{campaign.pk}/sync").json()["queued"] is True


@pytest.mark.parametrize("path", ["posts", "missing", "sync"])
def test_another_workspace_gets_404_on_every_endpoint(outsider_api, readonly_api, campaign, path):
    assert outsider_api.get(f"/campaigns/{campaign.pk}/{path}").status_code == 404
    assert readonly_api.get(f"/campaigns/{campaign.pk}/{path}").status_code == 200


def test_sync_refused_to_read_only_outsider_and_anonymous_keys(
    readonly_api, outsider_api, campaign, django_capture_on_commit_callbacks
):
    from tests.conftest import ApiClient

    with django_capture_on_commit_callbacks(execute=True):
        assert readonly_api.post(f"/campaigns/{campaign.pk}/sync").status_code == 403
        assert outsider_api.post(f"/campaigns/{campaign.pk}/sync").status_code == 404
        assert ApiClient(None).post(f"/campaigns/{campaign.pk}/sync").status_code == 401
        assert ApiClient("nope").get(f"/campaigns/{campaign.pk}/posts").status_code == 401
    assert not CampaignSync.objects.exists() and not DBTaskResult.objects.exists()
