"""The scripted scenario of issue 3 (acceptance 4): 11 posts through one link (10 linked, the 11th
refused), unlinked uploads, a campaign code applied, a linking request approved, the clock advanced
past the grace period and the takedown seen, signed webhooks received — duplicates included."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter

from tests.tiktok_sandbox.support import Sandbox, signature_ok
from tiktok_sandbox import webhooks

CALLBACK = "https://brand.test/hooks/tiktok"


def subscribe(sandbox: Sandbox, account_key: str = "tto_tcm_account_id") -> str:
    answer = sandbox.post(
        "/subscription/subscribe/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
        subscribe_entity="TCM_VIDEOS",
        callback_url=CALLBACK,
        subscription_detail={"access_token": sandbox.token, account_key: sandbox.account_id},
    )
    assert answer["code"] == 0, answer
    return answer["data"]["subscription_id"]


def test_scripted_scenario(make_sandbox):
    sandbox: Sandbox = make_sandbox(duplicate_webhook_every=5)
    subscribe(sandbox)
    campaign = sandbox.create_campaign(["alice"])
    link = campaign["invite_link"]

    # 11 posts through one link: 10 linked, the 11th refused with a clear message.
    answers = [
        sandbox.publish("alice", invite_link=link, caption=f"Spring {i} #springlaunch")
        for i in range(11)
    ]
    assert [a.status_code for a in answers] == [201] * 10 + [409]
    assert all(a.json()["linked"] and a.json()["branded_content_toggle"] for a in answers[:10])
    assert answers[9].json()["posts_left"] == 0
    assert answers[10].json()["error"]["code"] == "link_exhausted"
    assert "new invite link" in answers[10].json()["error"]["message"]
    link_posts = [a.json()["video_id"] for a in answers[:10]]

    # Unlinked uploads: branded ones are at risk, a plain one is not.
    code_post = sandbox.publish("alice", caption="Forgot the link #ad").json()
    request_post = sandbox.publish("alice", hashtags=["sponsored"]).json()
    doomed = sandbox.publish("alice", caption="Love it", branded=True).json()
    plain = sandbox.publish("alice", caption="My cat").json()
    assert not code_post["linked"] and code_post["takedown_at"].startswith("2026-05-04T00:00:00")
    assert plain["takedown_at"] is None

    # A campaign code applied to a published post links it retroactively.
    order = sandbox.post(
        "/tcm/order/create/v2/",
        tcm_account_id=sandbox.account_id,
        brand_name="Acme",
        handle_names=["alice"],
    )["data"]
    applied = sandbox.http.post(
        "/sandbox/apply-code",
        json={"video_id": code_post["video_id"], "campaign_code": order["campaign_code"].lower()},
    )
    assert applied.status_code == 200
    assert applied.json()["linked_via"] == "campaign_code" and applied.json()["takedown_at"] is None

    # A brand linking request, approved by the creator.
    request = sandbox.post(
        "/tto/tcm/campaign/link/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign["campaign_id"],
        video_id=request_post["video_id"],
        action="LINK",
    )["data"]
    confirmed = sandbox.http.post(
        f"/sandbox/link-requests/{request['link_request_id']}/confirm", json={"action": "APPROVE"}
    )
    assert confirmed.json() == {
        "link_request_id": request["link_request_id"],
        "status": "APPROVE",
        "video_id": request_post["video_id"],
        "campaign_id": campaign["campaign_id"],
        "linked": True,
    }

    # Time passes past the grace period: the unrescued branded post is taken down.
    clock = sandbox.advance(73)
    assert clock["taken_down"] == [doomed["video_id"]]
    states = {
        v["video_id"]: v["status"]
        for v in sandbox.http.get("/sandbox/videos?handle=alice").json()["videos"]
    }
    assert states[doomed["video_id"]] == "removed"
    assert Counter(states.values()) == {"live": 13, "removed": 1}
    public = sandbox.get(
        "/tto/tcm/creator/public/video/list/",
        limit=20,
        tto_tcm_account_id=sandbox.account_id,
        handle_name="alice",
    )["data"]
    public_ids = {p["video_id"] for p in public["posts"]}
    assert doomed["video_id"] not in public_ids and plain["video_id"] in public_ids

    # The brand sees the linked posts in the campaign object and in the report.
    listed = sandbox.get(
        "/tto/tcm/campaign/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_ids=[campaign["campaign_id"]],
    )["data"]["campaigns"][0]
    assert listed["video_ids"] == [*link_posts, request_post["video_id"]]
    report = sandbox.report(campaign["campaign_id"], page_size=20)["data"]
    assert report["page_info"]["total_number"] == 11
    orders = sandbox.get(
        "/tcm/order/get/v2/",
        tcm_account_id=sandbox.account_id,
        query_type="CAMPAIGN_CODE",
        campaign_code=order["campaign_code"],
    )
    assert orders["data"]["orders"][0]["video_ids"] == [code_post["video_id"]]
    assert orders["data"]["orders"][0]["quota"]["current_video_count"] == 1

    # Signed webhooks: two events per linked video, in order, every 5th delivery duplicated.
    assert sandbox.app.flush_webhooks(5)
    calls = sandbox.webhooks.calls
    linked = [*link_posts, code_post["video_id"], request_post["video_id"]]
    assert len(calls) == 2 * len(linked) + (2 * len(linked)) // 5
    assert all(url == CALLBACK for url, _, _ in calls)
    assert all(signature_ok(sandbox.creds["secret"], body, headers) for _, body, headers in calls)
    bodies = Counter(body for _, body, _ in calls)
    assert sorted(bodies.values(), reverse=True)[:5] == [2, 2, 2, 2, 1]
    unique = [json.loads(body) for body in dict.fromkeys(body for _, body, _ in calls)]
    assert all(p["object"] == 10 and len(p["entry"]) == 1 for p in unique)
    events = [p["entry"][0] for p in unique]
    assert [e["video_id"] for e in events[::2]] == linked
    assert [e["tto_campaign_event_type"] for e in events[:2]] == [
        "tto_video_uploaded",
        "tto_video_published",
    ]
    assert {e["campaign_id"] for e in events[-2:]} == {campaign["campaign_id"]}
    assert all(
        e["event_type"] == "tto_campaign_webhook"
        and e["handle_name"] == "alice"
        and e["tto_tcm_account_id"] == sandbox.account_id
        for e in events
    )


def test_legacy_account_key_subscriptions_receive_events_and_can_be_removed(sandbox: Sandbox):
    subscription_id = subscribe(sandbox, "tto_tmc_account_id")
    listed = sandbox.get(
        "/subscription/get/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
    )["data"]["subscriptions"]
    assert [s["subscription_id"] for s in listed] == [subscription_id]
    assert listed[0]["subscription_detail"] == {"tto_tcm_account_id": sandbox.account_id}
    campaign = sandbox.create_campaign(["alice"])
    sandbox.publish("alice", invite_link=campaign["invite_link"])
    assert sandbox.app.flush_webhooks(5) and len(sandbox.webhooks.calls) == 2
    removed = sandbox.post(
        "/subscription/unsubscribe/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
        subscription_id=subscription_id,
    )
    assert removed["code"] == 0
    sandbox.publish("alice", invite_link=campaign["invite_link"])
    assert sandbox.app.flush_webhooks(5) and len(sandbox.webhooks.calls) == 2


def test_subscription_of_a_revoked_token_silently_stops(sandbox: Sandbox):
    subscribe(sandbox)
    campaign = sandbox.create_campaign(["alice"])
    sandbox.post(
        "/oauth2/revoke_token/",
        token=None,
        app_id=sandbox.creds["app_id"],
        secret=sandbox.creds["secret"],
        access_token=sandbox.token,
    )
    assert sandbox.publish("alice", invite_link=campaign["invite_link"]).json()["linked"]
    assert sandbox.app.flush_webhooks(5) and sandbox.webhooks.calls == []


def test_subscribe_checks_credentials_detail_and_account(sandbox: Sandbox):
    base = {
        "app_id": sandbox.creds["app_id"],
        "secret": sandbox.creds["secret"],
        "subscribe_entity": "TCM_VIDEOS",
        "callback_url": CALLBACK,
    }
    other = sandbox.creds["other_account"]["tto_tcm_account_id"]
    cases = [
        ({**base, "secret": "x", "subscription_detail": {}}, 40001),
        ({**base, "subscription_detail": {"tto_tcm_account_id": sandbox.account_id}}, 40002),
        ({**base, "callback_url": "ftp://x", "subscription_detail": {}}, 40002),
        (
            {
                **base,
                "subscription_detail": {
                    "access_token": "nope",
                    "tto_tcm_account_id": sandbox.account_id,
                },
            },
            40105,
        ),
        (
            {
                **base,
                "subscription_detail": {"access_token": sandbox.token, "tto_tcm_account_id": other},
            },
            40001,
        ),
    ]
    for body, code in cases:
        assert sandbox.post("/subscription/subscribe/", token=None, **body)["code"] == code, body


def test_bodies_are_compact_ascii_json_so_escaped_and_raw_signatures_agree():
    body = webhooks.encode({"handle_name": "zoë", "caption": "☕"})
    assert body == b'{"handle_name":"zo\\u00eb","caption":"\\u2615"}'
    assert webhooks.signature("s", body) == hmac.new(b"s", body, hashlib.sha256).hexdigest()


def test_failed_deliveries_are_retried_a_bounded_number_of_times(make_sandbox):
    sandbox = make_sandbox(webhook_max_attempts=3)
    sandbox.webhooks.status = 500
    subscribe(sandbox)
    campaign = sandbox.create_campaign(["alice"])
    sandbox.publish("alice", invite_link=campaign["invite_link"])
    assert sandbox.app.flush_webhooks(5)
    assert len(sandbox.webhooks.calls) == 2 * 3
    log = sandbox.http.get("/sandbox/webhooks").json()
    assert log["counts"]["failed"] == 2 and log["recent"][0]["attempts"] == 3
