"""Campaign objects, invite links, creator look-ups and linking requests through the brand API."""

from __future__ import annotations

import re

from tests.tiktok_sandbox.support import Sandbox

ID = re.compile(r"^\d{19}$")


def test_create_returns_one_invite_link_and_failed_handles_as_given(sandbox: Sandbox):
    data = sandbox.create_campaign(
        ["alice", "@Bob", "invalid_carol", "bad handle!"],
        brand_name="Acme",
        business_account_handle="acme",
        advertiser_ids=["7200000000000000001"],
    )
    assert ID.match(data["campaign_id"])
    assert re.match(r"^http://sandbox/t/[\w-]+/$", data["invite_link"])
    assert data["handle_names"] == ["alice", "bob"]
    assert data["failed_handle_names"] == ["invalid_carol", "bad handle!"]
    assert data["campaign_type"] == "CAMPAIGN"
    assert data["campaign_channel_type"] == "API_LITE_CAMPAIGN"
    assert data["dm_info"] == {"business_account_handle": "acme", "dm_allowed": True}
    assert data["create_time"] == "2026-05-01 00:00:00"


def test_every_campaign_object_gets_its_own_link(sandbox: Sandbox):
    links = {sandbox.create_campaign([f"creator{i}"])["invite_link"] for i in range(5)}
    assert len(links) == 5


def test_create_with_campaign_id_appends_creators_and_keeps_the_link(sandbox: Sandbox):
    first = sandbox.create_campaign(["alice"])
    answer = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=first["campaign_id"],
        handle_names=["bob", "invalid_x"],
    )
    assert answer["code"] == 0
    assert answer["data"]["handle_names"] == ["alice", "bob"]
    assert answer["data"]["failed_handle_names"] == ["invalid_x"]
    assert answer["data"]["invite_link"] == first["invite_link"]
    stats = sandbox.http.get("/sandbox/stats").json()
    assert stats["campaign_objects_created"] == 1


def test_not_in_handles_are_invited_unless_the_policy_knob_fails_them(make_sandbox):
    lenient, strict = make_sandbox(), make_sandbox(fail_not_in_handles=True)
    assert lenient.create_campaign(["notin_dave"])["failed_handle_names"] == []
    assert strict.create_campaign(["notin_dave"])["failed_handle_names"] == ["notin_dave"]


def test_create_validates_before_changing_anything(sandbox: Sandbox):
    bad = [
        {"handle_names": ["alice"]},  # no campaign_name
        {"campaign_name": "x"},  # CAMPAIGN needs handle_names
        {"campaign_name": "x", "handle_names": "alice"},  # not a list
        {"campaign_name": "x", "handle_names": ["a"], "campaign_type": "OTHER"},
        {
            "campaign_name": "x",
            "handle_names": ["a"],
            "default_spark_ads_requested_authorization_days": 14,
        },
        {"campaign_name": "x", "handle_names": [f"c{i}" for i in range(101)]},
    ]
    for body in bad:
        answer = sandbox.post(
            "/tto/tcm/campaign/create/", tto_tcm_account_id=sandbox.account_id, **body
        )
        assert answer["code"] == 40002, body
    assert sandbox.http.get("/sandbox/stats").json()["campaign_objects_created"] == 0


def test_brand_link_campaigns_need_no_handles(sandbox: Sandbox):
    answer = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_name="Lite",
        campaign_type="BRAND_LINK",
    )
    assert answer["code"] == 0 and answer["data"]["handle_names"] == []


def test_update_replaces_invited_creators_and_checks_the_type(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice", "bob"])
    answer = sandbox.post(
        "/tto/tcm/campaign/update/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign["campaign_id"],
        campaign_type="CAMPAIGN",
        handle_names=["bob", "carol"],
        advertiser_ids=["7200000000000000009"],
    )
    assert answer["code"] == 0
    assert answer["data"]["handle_names"] == ["bob", "carol"]
    assert answer["data"]["advertiser_ids"] == ["7200000000000000009"]
    refused = sandbox.publish("alice", invite_link=campaign["invite_link"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_invited"
    wrong_type = sandbox.post(
        "/tto/tcm/campaign/update/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign["campaign_id"],
        campaign_type="BRAND_LINK",
    )
    assert wrong_type["code"] == 40002


def list_campaigns(sandbox: Sandbox, **params):
    return sandbox.get("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id, **params)


def test_list_pages_at_most_five_and_counts_pages(sandbox: Sandbox):
    ids = [sandbox.create_campaign([f"c{i}"], name=f"C{i}")["campaign_id"] for i in range(7)]
    first, second = list_campaigns(sandbox, page_size=5), list_campaigns(sandbox, page=2)
    assert first["data"]["page_info"] == {
        "page": 1,
        "page_size": 5,
        "total_number": 7,
        "total_page": 2,
    }
    listed = [c["campaign_id"] for c in first["data"]["campaigns"] + second["data"]["campaigns"]]
    assert listed == ids
    assert list_campaigns(sandbox, page_size=6)["code"] == 40002
    assert list_campaigns(sandbox, page_size=0)["code"] == 40002


def test_list_filters_by_json_ids_and_type(sandbox: Sandbox):
    a = sandbox.create_campaign(["alice"])["campaign_id"]
    sandbox.create_campaign(["bob"])
    lite = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_name="Lite",
        campaign_type="BRAND_LINK",
    )["data"]["campaign_id"]
    by_id = list_campaigns(sandbox, campaign_ids=[a, lite])["data"]["campaigns"]
    by_type = list_campaigns(sandbox, campaign_type="BRAND_LINK")["data"]["campaigns"]
    assert [c["campaign_id"] for c in by_id] == [a, lite]
    assert [c["campaign_id"] for c in by_type] == [lite]
    raw = sandbox.http.get(
        "/open_api/v1.3/tto/tcm/campaign/",
        headers={"Access-Token": sandbox.token},
        params={"tto_tcm_account_id": sandbox.account_id, "campaign_ids": a},
    )
    assert raw.json()["code"] == 40002


def test_reads_omit_empty_fields_and_handle_names(sandbox: Sandbox):
    sandbox.create_campaign(["alice"])
    campaign = list_campaigns(sandbox)["data"]["campaigns"][0]
    assert "handle_names" not in campaign and "video_ids" not in campaign
    assert "anchor_id" not in campaign and "brand_name" not in campaign
    assert all(value not in (None, "", [], {}) for value in campaign.values())


def test_reads_list_only_surfaced_videos(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    video_id = sandbox.publish("alice", invite_link=campaign["invite_link"]).json()["video_id"]
    sandbox.advance(47)
    assert "video_ids" not in list_campaigns(sandbox)["data"]["campaigns"][0]
    sandbox.advance(1)
    assert list_campaigns(sandbox)["data"]["campaigns"][0]["video_ids"] == [video_id]


def test_other_brand_sees_none_of_these_campaigns(sandbox: Sandbox):
    sandbox.create_campaign(["alice"])
    other = sandbox.creds["other_account"]
    answer = sandbox.get(
        "/tto/tcm/campaign/",
        token=other["access_token"],
        tto_tcm_account_id=other["tto_tcm_account_id"],
    )
    assert answer["data"]["campaigns"] == [] and answer["data"]["page_info"]["total_number"] == 0


def test_creator_status_reports_in_not_in_and_invalid(sandbox: Sandbox):
    answer = sandbox.get(
        "/tto/tcm/creator/status/get/",
        tto_tcm_account_id=sandbox.account_id,
        handle_names=["alice", "notin_bob", "invalid_carol", "x y"],
    )
    assert [s["status"] for s in answer["data"]["onboarding_status"]] == [
        "IN",
        "NOT_IN",
        "INVALID",
        "INVALID",
    ]
    too_many = sandbox.get(
        "/tto/tcm/creator/status/get/",
        tto_tcm_account_id=sandbox.account_id,
        handle_names=[f"c{i}" for i in range(21)],
    )
    assert too_many["code"] == 40002


def test_public_profile_is_stable_and_invalid_handles_are_refused(sandbox: Sandbox):
    first = sandbox.get(
        "/tto/tcm/creator/public/", tto_tcm_account_id=sandbox.account_id, handle_name="alice"
    )["data"]
    again = sandbox.get(
        "/tto/tcm/creator/public/", tto_tcm_account_id=sandbox.account_id, handle_name="@Alice"
    )["data"]
    assert first == again and ID.match(first["creator_id"]) and 0 < first["engagement_rate"] < 1
    invalid = sandbox.get(
        "/tto/tcm/creator/public/", tto_tcm_account_id=sandbox.account_id, handle_name="invalid_zed"
    )
    assert invalid["code"] == 40002


def video_list(sandbox: Sandbox, **params):
    return sandbox.get(
        "/tto/tcm/creator/public/video/list/",
        tto_tcm_account_id=sandbox.account_id,
        handle_name="alice",
        **params,
    )


def test_public_video_list_pages_by_millisecond_cursor(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    posted = [
        sandbox.publish(
            "alice",
            caption=f"post {i} #fun @bob",
            invite_link=campaign["invite_link"] if i % 2 else None,
        ).json()["video_id"]
        for i in range(5)
    ]
    first = video_list(sandbox, limit=3)["data"]
    second = video_list(sandbox, limit=3, cursor=first["page_info"]["cursor"])["data"]
    assert first["page_info"]["has_more"] and not second["page_info"]["has_more"]
    listed = [p["video_id"] for p in first["posts"] + second["posts"]]
    assert listed == posted[::-1]
    post = first["posts"][0]
    assert post["caption_hashtags"] == ["fun"] and post["mentioned_accounts"] == ["bob"]
    statuses = {p["video_id"]: p["collaboration_status"] for p in first["posts"] + second["posts"]}
    assert statuses[posted[1]] == "PAID_PARTNERSHIP" and statuses[posted[0]] == "NONE"
    only = video_list(sandbox, video_ids=[posted[2]])["data"]["posts"]
    assert [p["video_id"] for p in only] == [posted[2]]
    assert video_list(sandbox, limit=21)["code"] == 40002


def link(sandbox: Sandbox, campaign_id: str, video_id: str, action: str = "LINK"):
    return sandbox.post(
        "/tto/tcm/campaign/link/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign_id,
        video_id=video_id,
        action=action,
    )


def test_linking_request_reminders_revoke_and_status_list(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    video_id = sandbox.publish("alice", caption="organic").json()["video_id"]
    first = link(sandbox, campaign["campaign_id"], video_id)["data"]
    assert first["status"] == "IN_REVIEW" and first["number_of_requests"] == 1
    assert ID.match(first["link_request_id"])
    sandbox.advance(2)
    reminder = link(sandbox, campaign["campaign_id"], video_id)["data"]
    assert reminder["number_of_requests"] == 2
    assert reminder["last_reminded_timestamp"] == first["last_reminded_timestamp"] + 7200
    assert reminder["link_request_id"] == first["link_request_id"]
    revoked = link(sandbox, campaign["campaign_id"], video_id, "REVOKE")["data"]
    assert revoked["status"] == "REVOKE"
    listed = sandbox.get(
        "/tto/tcm/campaign/link/status/",
        tto_tcm_account_id=sandbox.account_id,
        handle_names=["alice"],
    )["data"]
    assert [v["status"] for v in listed["video_infos"]] == ["REVOKE"]
    assert listed["page_info"]["total_number"] == 1


def test_linking_request_for_unknown_video_is_40007(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    assert link(sandbox, campaign["campaign_id"], "7000000000000000001")["code"] == 40007
    assert link(sandbox, campaign["campaign_id"], "7000000000000000001", "REVOKE")["code"] == 40007


def test_legacy_orders_mint_codes_and_reuse_them(sandbox: Sandbox):
    created = sandbox.post(
        "/tcm/order/create/v2/",
        tcm_account_id=sandbox.account_id,
        brand_name="Acme",
        handle_names=["alice"],
        video_number=4,
    )
    assert created["code"] == 0
    code = created["data"]["campaign_code"]
    assert re.match(r"^[A-Z2-9]{8}$", code) and created["data"]["remaining_orders"] == 200
    order = created["data"]["orders"][0]
    assert order["quota"] == {
        "current_video_count": 0,
        "per_creator_video_limit": 4,
        "total_video_limit": 800,
    }
    more = sandbox.post(
        "/tcm/order/create/v2/",
        tcm_account_id=sandbox.account_id,
        brand_name="Acme",
        campaign_code=code,
        handle_names=["bob"],
    )["data"]
    assert more["campaign_code"] == code and more["invite_link"] == created["data"]["invite_link"]
    got = sandbox.get(
        "/tcm/order/get/v2/",
        tcm_account_id=sandbox.account_id,
        query_type="CAMPAIGN_CODE",
        campaign_code=code,
    )["data"]
    assert [o["handle_name"] for o in got["orders"]] == ["alice", "bob"]
    by_link = sandbox.get(
        "/tcm/order/get/v2/",
        tcm_account_id=sandbox.account_id,
        query_type="INVITE_LINK",
        invite_link=more["invite_link"],
        fields=["order_id", "current_video_count"],
    )["data"]["orders"]
    assert set(by_link[0]) == {"order_id", "quota"} and set(by_link[0]["quota"]) == {
        "current_video_count"
    }
    unknown = sandbox.get(
        "/tcm/order/get/v2/",
        tcm_account_id=sandbox.account_id,
        query_type="CAMPAIGN_CODE",
        campaign_code="NOPE2345",
    )
    assert unknown["code"] == 40007
