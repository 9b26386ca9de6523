"""/api/v1 compliance: the campaign's compliance (counts, per creator, posts at risk oldest first,
scan, audit trail), Scan now, and the remedies. Another workspace's key gets 404, a read-only
key may read but not act (403), no key is 401; a refused call changes nothing."""

import pytest
from django_tasks_db.models import DBTaskResult

from inviteflow.compliance.models import ComplianceScan, LinkRequest, Remedy
from inviteflow.compliance.services import Actor, record_remedy
from tests.compliance.support import flag_post
from tests.conftest import ApiClient
from tests.posts.factories import add_link, add_post, campaign_with


@pytest.fixture
def campaign(workspace):
    campaign = campaign_with(workspace, {"ada": 1, "bob": 1})
    add_post(add_link(campaign, "ada"))
    add_link(campaign, "bob")
    recent = flag_post(campaign, "bob", hours_ago=2)
    flag_post(campaign, "ada", hours_ago=30)
    record_remedy(recent, "campaign_code", "ABCD2345", Actor(None, "API key “ci”"))
    return campaign


def test_compliance_answers_counts_creators_and_posts_at_risk_oldest_first(api, campaign):
    answer = api.get(f"/campaigns/{campaign.pk}/compliance")
    assert answer.status_code == 200
    body = answer.json()
    assert body["counts"] == {"compliant": 1, "at_risk": 2, "remediated": 0, "removed": 0}
    assert [item["handle"] for item in body["at_risk"]] == ["ada", "bob"]
    oldest = body["at_risk"][0]
    assert oldest["markers"] == ["#springlaunch"] and 41 < oldest["hours_left"] <= 42
    assert oldest["link_request"] is None and isinstance(oldest["video_id"], str)
    assert {(c["handle"], c["compliant"], c["at_risk"]) for c in body["creators"]} == {
        ("ada", 1, 1),
        ("bob", 0, 1),
    }
    assert body["remedies"] == [
        {**body["remedies"][0], "kind": "campaign_code", "detail": "ABCD2345", "by": "API key “ci”"}
    ]
    assert body["scan"]["finished_at"] is None


def test_scan_answers_202_and_queues_it(api, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/campaigns/{campaign.pk}/compliance/scan")
    assert answer.status_code == 202 and answer.json()["queued"] is True
    assert DBTaskResult.objects.filter(task_path__endswith="scan_campaign").count() == 1
    assert api.get(f"/campaigns/{campaign.pk}/compliance").json()["scan"]["queued"] is True


def test_remedies_without_a_tiktok_connection_say_so(api, campaign):
    post = campaign.posts.get(creator__handle="ada", compliance="at_risk")
    answer = api.post(f"/posts/{post.pk}/campaign-code")
    assert (answer.status_code, answer.json()["code"]) == (409, "not_connected")
    compliant = campaign.posts.get(compliance="compliant")
    assert api.post(f"/posts/{compliant.pk}/link-request", json={}).json()["code"] == (
        "not_connected"
    )


def test_unknown_posts_and_bad_actions_are_clear_errors(api, campaign):
    assert api.post("/posts/999999/campaign-code").status_code == 404
    post = campaign.posts.get(creator__handle="ada", compliance="at_risk")
    bad = api.post(f"/posts/{post.pk}/link-request", json={"action": "nudge"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"


PATHS = [
    "/posts/{post}/campaign-code",
    "/posts/{post}/link-request",
    "/campaigns/{campaign}/compliance/scan",
]


@pytest.mark.parametrize("path", PATHS)
def test_writes_refused_to_read_only_outsider_and_anonymous_keys(
    readonly_api, outsider_api, campaign, path, django_capture_on_commit_callbacks
):
    post = campaign.posts.get(creator__handle="ada", compliance="at_risk")
    path = path.format(post=post.pk, campaign=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert readonly_api.post(path, json={}).status_code == 403
        assert outsider_api.post(path, json={}).status_code == 404
        assert ApiClient(None).post(path, json={}).status_code == 401
    assert Remedy.objects.count() == 1 and not LinkRequest.objects.exists()
    assert not ComplianceScan.objects.exists() and not DBTaskResult.objects.exists()


def test_reads_are_open_to_read_only_keys_and_closed_to_outsiders(
    readonly_api, outsider_api, campaign
):
    path = f"/campaigns/{campaign.pk}/compliance"
    assert readonly_api.get(path).status_code == 200
    assert outsider_api.get(path).status_code == 404
    assert ApiClient("nope").get(path).status_code == 401
