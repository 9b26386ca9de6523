"""The creator's side in HTML: the page behind an invite link, media, the index page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.tiktok_sandbox.support import Sandbox


def link_path(invite_link: str) -> str:
    return urlsplit(invite_link).path


def test_creator_joins_and_publishes_through_the_link_page(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"], brand_name="Acme")
    path = link_path(campaign["invite_link"])
    landing = sandbox.http.get(path)
    assert landing.status_code == 200 and "Spring Launch" in landing.text and "Acme" in landing.text
    assert "Join campaign" in sandbox.http.get(path, params={"handle": "@Alice"}).text
    joined = sandbox.http.post(path, data={"handle": "alice", "action": "join"})
    assert joined.status_code == 303
    page = sandbox.http.get(joined.headers["location"])
    assert "You joined the campaign" in page.text and "10 left" in page.text
    posted = sandbox.http.post(
        path,
        data={
            "handle": "alice",
            "action": "publish",
            "caption": "Hello",
            "hashtags": "#spring, launch",
        },
    )
    assert posted.status_code == 303
    video_id = parse_qs(urlsplit(posted.headers["location"]).query)["published"][0]
    video = next(
        v for v in sandbox.http.get("/sandbox/videos").json()["videos"] if v["video_id"] == video_id
    )
    assert video["linked"] and video["branded_content_toggle"]
    assert video["hashtags"] == ["spring", "launch"]
    assert "9 left" in sandbox.http.get(posted.headers["location"]).text


def test_the_eleventh_post_through_the_page_is_refused_with_a_message(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    path = link_path(campaign["invite_link"])
    for _ in range(10):
        answer = sandbox.http.post(path, data={"handle": "alice", "action": "publish"})
        assert answer.status_code == 303
    refused = sandbox.http.post(path, data={"handle": "alice", "action": "publish"})
    assert refused.status_code == 409
    assert "already published 10 posts through this invite link" in refused.text
    assert len(sandbox.http.get("/sandbox/videos?handle=alice").json()["videos"]) == 10


def test_uninvited_and_invalid_handles_are_refused(sandbox: Sandbox):
    path = link_path(sandbox.create_campaign(["alice"])["invite_link"])
    uninvited = sandbox.http.post(path, data={"handle": "mallory", "action": "join"})
    invalid = sandbox.http.post(path, data={"handle": "invalid_x", "action": "join"})
    assert uninvited.status_code == 403 and "not invited" in uninvited.text
    assert invalid.status_code == 400
    assert sandbox.http.get("/sandbox/campaigns").json()["campaigns"][0]["creators"] == [
        {"handle": "alice", "invited": True, "joined": False, "order_id": None, "posts_used": 0}
    ]


def test_brand_link_pages_accept_any_valid_creator(sandbox: Sandbox):
    lite = sandbox.post(
        "/tto/tcm/campaign/create/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_name="Lite",
        campaign_type="BRAND_LINK",
    )["data"]
    answer = sandbox.publish("zoe", invite_link=lite["invite_link"])
    assert answer.status_code == 201 and answer.json()["linked"]


def test_unknown_invite_link(sandbox: Sandbox):
    assert sandbox.http.get("/t/nope/").status_code == 404
    answer = sandbox.publish("alice", invite_link="http://sandbox/t/nope/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_invite_link"


def test_media_is_served_offline(sandbox: Sandbox):
    video_id = sandbox.publish("alice", caption="<b>hi</b>").json()["video_id"]
    thumb = sandbox.http.get(f"/media/{video_id}.svg")
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/svg+xml")
    embed = sandbox.http.get(f"/media/{video_id}/embed")
    assert "&lt;b&gt;hi&lt;/b&gt;" in embed.text
    assert sandbox.http.get("/media/creator/alice.svg").status_code == 200


def test_index_lists_credentials_and_links(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    page = sandbox.http.get("/")
    assert sandbox.creds["access_token"] in page.text and campaign["invite_link"] in page.text


def test_control_api_rejects_bad_input_clearly(sandbox: Sandbox):
    cases = [
        ("/sandbox/publish", {}, 400, "invalid_handle"),
        ("/sandbox/publish", {"handle": "alice", "hashtags": 5}, 400, "invalid_request"),
        ("/sandbox/publish", {"handle": "alice", "branded": "yes"}, 400, "invalid_request"),
        ("/sandbox/apply-code", {"video_id": "1"}, 400, "invalid_request"),
        ("/sandbox/apply-code", {"video_id": "1", "campaign_code": "X"}, 404, "not_found"),
        ("/sandbox/clock", {"advance_hours": -1}, 400, "invalid_request"),
        ("/sandbox/link-requests/1/confirm", {"action": "MAYBE"}, 400, "invalid_request"),
        ("/sandbox/link-requests/1/confirm", {"action": "APPROVE"}, 404, "not_found"),
    ]
    for path, body, status, code in cases:
        answer = sandbox.http.post(path, json=body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), path
    assert sandbox.http.post("/sandbox/publish", content=b"[").status_code == 400
    assert sandbox.http.get("/sandbox/nothing").json()["error"]["code"] == "Not Found"
    assert sandbox.http.get("/sandbox/videos").json()["videos"] == []


def test_apply_code_refuses_taken_down_and_already_linked_posts(sandbox: Sandbox):
    order = sandbox.post(
        "/tcm/order/create/v2/", tcm_account_id=sandbox.account_id, handle_names=["alice"]
    )["data"]
    campaign = sandbox.create_campaign(["alice"])
    linked = sandbox.publish("alice", invite_link=campaign["invite_link"]).json()["video_id"]
    doomed = sandbox.publish("alice", branded=True).json()["video_id"]
    sandbox.advance(72.1)
    for video_id, reason in ((linked, "already_linked"), (doomed, "taken_down")):
        answer = sandbox.http.post(
            "/sandbox/apply-code",
            json={"video_id": video_id, "campaign_code": order["campaign_code"]},
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (409, reason)


def test_rejected_linking_request_links_nothing(sandbox: Sandbox):
    campaign = sandbox.create_campaign(["alice"])
    video_id = sandbox.publish("alice").json()["video_id"]
    request = sandbox.post(
        "/tto/tcm/campaign/link/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign["campaign_id"],
        video_id=video_id,
        action="LINK",
    )["data"]
    path = f"/sandbox/link-requests/{request['link_request_id']}/confirm"
    rejected = sandbox.http.post(path, json={"action": "REJECT"}).json()
    assert rejected["status"] == "REJECTED" and not rejected["linked"]
    again = sandbox.http.post(path, json={"action": "APPROVE"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_in_review"
    reopened = sandbox.post(
        "/tto/tcm/campaign/link/",
        tto_tcm_account_id=sandbox.account_id,
        campaign_id=campaign["campaign_id"],
        video_id=video_id,
        action="LINK",
    )["data"]
    assert reopened["status"] == "IN_REVIEW" and reopened["number_of_requests"] == 2
