"""Remedies exactly once. A campaign code is created once per campaign and reused for its
other creators, even when TikTok times out after making it; a linking request is sent once
per video (a LINK whose answer was lost is looked up, not repeated); reminders are bounded;
revoke works while the creator has not answered. Reconciliation attributes applied codes
and approved requests whose webhooks never arrived."""

import pytest

from inviteflow.compliance.models import CampaignCode, CodeOrder, LinkRequest, Remedy
from inviteflow.outreach.models import OutboxMessage
from tests.compliance.support import BRANDED, calls, link_request_id, post_of, scan, with_emails

ORDER_CREATE = "/tcm/order/create/v2/"
LINK = "/tto/tcm/campaign/link/"


@pytest.fixture
def at_risk(world):
    """Ada, Bob and Cy each published a branded post without their link; one scan found them."""
    campaign = world.campaign({"ada": 1, "bob": 1, "cy": 1})
    with_emails(campaign)
    videos = {
        h: world.sandbox.publish(h, caption=BRANDED)["video_id"] for h in ("ada", "bob", "cy")
    }
    scan(world, campaign)
    return {handle: post_of(video) for handle, video in videos.items()}


def code_objects(world) -> list[dict]:
    return [
        c
        for c in world.sandbox.http.get("/sandbox/campaigns").json()["campaigns"]
        if c.get("campaign_code")
    ]


def show_code_objects(world, shown: bool = True) -> None:
    """Whether code objects appear in the TTO campaign list is unknown (contract §13)."""
    runtime = world.sandbox.app.runtime
    runtime.config = runtime.config.replace(code_objects_in_tto_list=shown)


@pytest.mark.parametrize("listed", [False, True])
def test_one_code_per_campaign_shared_by_its_creators(world, api, at_risk, listed):
    show_code_objects(world, listed)
    with world.on_commit(execute=True):  # the object behind the new code is found after it
        first = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code").json()["campaign_code"]
    second = api.post(f"/posts/{at_risk['bob'].pk}/campaign-code").json()["campaign_code"]
    assert first == second
    assert calls(world, ORDER_CREATE) == 2  # created with Ada, then Bob added to it
    [obj] = code_objects(world)
    assert sorted(c["handle"] for c in obj["creators"]) == ["ada", "bob"]
    code = CampaignCode.objects.get()
    located = obj["campaign_id"] if listed else ""  # found in the TTO list only if it's there
    assert (code.tiktok_campaign_id, code.status) == (located, "active")
    assert CodeOrder.objects.count() == 2
    assert api.post(f"/posts/{at_risk['ada'].pk}/campaign-code").json()["campaign_code"] == first
    assert calls(world, ORDER_CREATE) == 2 and OutboxMessage.objects.count() == 2


def test_a_code_tiktok_made_before_timing_out_is_found_not_made_again(
    world, api, at_risk, settings
):
    show_code_objects(world)  # where the account lists code objects, a lost one is found
    settings.TIKTOK_TIMEOUT_S = 0.3
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 1.0, "timeout_sleep_s": 1})
    lost = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    assert (lost.status_code, lost.json()["code"]) == (503, "tiktok_unsure")
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 0})
    assert CampaignCode.objects.get().attempted_at is not None  # the intent, kept
    busy = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    assert (busy.status_code, busy.json()["code"]) == (409, "busy")  # a retry right away waits

    settings.COMPLIANCE_UNSURE_AFTER_SECONDS = 0
    with world.on_commit(execute=True):  # the lookup runs in the background, not in the request
        checking = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    assert (checking.status_code, checking.json()["code"]) == (202, "checking")
    answer = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    assert answer.status_code == 200, answer.json()
    assert len(code_objects(world)) == 1  # the lost answer's object, found by its name
    assert calls(world, ORDER_CREATE) <= 1  # (the timed-out call is counted once it answers)
    assert answer.json()["campaign_code"] == code_objects(world)[0]["campaign_code"]
    assert CampaignCode.objects.get().tiktok_campaign_id == code_objects(world)[0]["campaign_id"]


def test_a_lost_code_on_an_account_that_does_not_list_codes_is_given_up_clearly(
    world, api, at_risk, settings
):
    settings.TIKTOK_TIMEOUT_S = 0.3
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 1.0, "timeout_sleep_s": 1})
    assert api.post(f"/posts/{at_risk['ada'].pk}/campaign-code").json()["code"] == "tiktok_unsure"
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 0})
    settings.COMPLIANCE_UNSURE_AFTER_SECONDS = 0
    with world.on_commit(execute=True):
        assert api.post(f"/posts/{at_risk['ada'].pk}/campaign-code").json()["code"] == "checking"
    lost = CampaignCode.objects.get(sequence=1)
    assert lost.status == "failed" and "cannot be looked up" in lost.failure_message
    answer = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    assert answer.status_code == 200 and CampaignCode.objects.get(sequence=2).code
    assert OutboxMessage.objects.count() == 1  # the creator is emailed once


def test_a_linking_request_is_sent_once_per_video(world, api, at_risk):
    path = f"/posts/{at_risk['bob'].pk}/link-request"
    first = api.post(path, json={}).json()
    assert (first["status"], first["number_of_requests"]) == ("in_review", 1)
    assert api.post(path, json={"action": "link"}).json()["number_of_requests"] == 1
    assert calls(world, LINK) == 1
    [request] = world.sandbox.http.get(
        "/sandbox/link-requests", params={"video_id": at_risk["bob"].video_id}
    ).json()["link_requests"]
    assert request["number_of_requests"] == 1
    assert Remedy.objects.filter(kind="link_request").count() == 1


def test_a_link_whose_answer_was_lost_is_looked_up(world, api, at_risk, settings):
    settings.TIKTOK_TIMEOUT_S = 0.3
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 1.0, "timeout_sleep_s": 1})
    path = f"/posts/{at_risk['bob'].pk}/link-request"
    assert api.post(path, json={}).json()["code"] == "tiktok_unsure"
    world.sandbox.http.put("/sandbox/faults", json={"timeout_rate": 0})
    settings.COMPLIANCE_UNSURE_AFTER_SECONDS = 0
    with world.on_commit(execute=True):  # looked up in the background, not sent again
        assert api.post(path, json={}).json()["code"] == "checking"
    assert api.post(path, json={}).json()["status"] == "in_review"
    assert Remedy.objects.filter(kind="link_request").count() == 1  # recorded by the lookup
    [request] = world.sandbox.http.get(
        "/sandbox/link-requests", params={"video_id": at_risk["bob"].video_id}
    ).json()["link_requests"]
    assert request["number_of_requests"] == 1


def test_reminders_are_bounded_and_spaced(world, api, at_risk, settings):
    path = f"/posts/{at_risk['bob'].pk}/link-request"
    assert api.post(path, json={"action": "remind"}).json()["code"] == "no_link_request"
    api.post(path, json={})
    too_soon = api.post(path, json={"action": "remind"})
    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "reminder_too_soon")
    settings.COMPLIANCE_LINK_REMINDER_HOURS, settings.COMPLIANCE_LINK_REMINDERS_MAX = 0, 2
    assert api.post(path, json={"action": "remind"}).json()["number_of_requests"] == 2
    reminded = api.post(path, json={"action": "remind"}).json()
    assert (reminded["number_of_requests"], reminded["reminders_sent"]) == (3, 2)
    assert api.post(path, json={"action": "remind"}).json()["code"] == "reminder_limit"
    assert Remedy.objects.filter(kind="reminder").count() == 2


def test_revoke_withdraws_a_request_in_review(world, api, at_risk):
    path = f"/posts/{at_risk['bob'].pk}/link-request"
    assert api.post(path, json={"action": "revoke"}).json()["code"] == "no_link_request"
    api.post(path, json={})
    assert api.post(path, json={"action": "revoke"}).json()["status"] == "revoked"
    [request] = world.sandbox.http.get(
        "/sandbox/link-requests", params={"video_id": at_risk["bob"].video_id}
    ).json()["link_requests"]
    assert request["status"] == "REVOKE"
    assert api.post(path, json={"action": "revoke"}).json()["code"] == "not_in_review"
    assert api.post(path, json={"action": "bogus"}).status_code == 422


def test_reconciliation_attributes_what_lost_webhooks_did_not(world, api, at_risk):
    code = api.post(f"/posts/{at_risk['ada'].pk}/campaign-code").json()["campaign_code"]
    world.sandbox.http.post(
        "/sandbox/apply-code", json={"video_id": at_risk["ada"].video_id, "campaign_code": code}
    )
    api.post(f"/posts/{at_risk['bob'].pk}/link-request", json={})
    world.sandbox.http.post(
        f"/sandbox/link-requests/{link_request_id(world, at_risk['bob'].video_id)}/confirm",
        json={"action": "APPROVE"},
    )
    world.sandbox.deliveries()  # lost: never delivered
    scan(world, at_risk["ada"].campaign)
    ada, bob = post_of(at_risk["ada"].video_id), post_of(at_risk["bob"].video_id)
    assert (ada.linked_via, ada.compliance, ada.counts) == ("campaign_code", "remediated", True)
    assert ada.tiktok_campaign_id == CampaignCode.objects.get().tiktok_campaign_id
    assert (bob.linked_via, bob.compliance, bob.counts) == ("link_request", "remediated", True)
    assert LinkRequest.objects.get().status == "approved"


def test_remedies_need_a_post_at_risk_and_a_link_for_requests(world, api, at_risk):
    api.post(f"/posts/{at_risk['ada'].pk}/campaign-code")
    at_risk["cy"].creator.invite_links.all().delete()
    no_link = api.post(f"/posts/{at_risk['cy'].pk}/link-request", json={})
    assert (no_link.status_code, no_link.json()["code"]) == (409, "no_invite_link")
    world.sandbox.advance(73)
    scan(world, at_risk["ada"].campaign)
    removed = api.post(f"/posts/{at_risk['bob'].pk}/campaign-code")
    assert (removed.status_code, removed.json()["code"]) == (409, "not_at_risk")
    assert "removed" in removed.json()["message"]


def test_a_rejected_request_is_seen_and_can_be_sent_again(world, api, at_risk, settings):
    path = f"/posts/{at_risk['bob'].pk}/link-request"
    api.post(path, json={})
    world.sandbox.http.post(
        f"/sandbox/link-requests/{link_request_id(world, at_risk['bob'].video_id)}/confirm",
        json={"action": "REJECT"},
    )
    scan(world, at_risk["bob"].campaign)
    request = LinkRequest.objects.get()
    assert (request.status, post_of(at_risk["bob"].video_id).compliance) == ("rejected", "at_risk")
    assert request.decided_at is not None
    settings.COMPLIANCE_LINK_REMINDER_HOURS = 0
    again = api.post(path, json={"action": "remind"}).json()
    assert (again["status"], again["number_of_requests"]) == ("in_review", 2)
