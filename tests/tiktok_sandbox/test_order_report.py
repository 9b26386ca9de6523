"""Campaign codes: the legacy order report `/tcm/report/get/v2/`, whether code objects show in the
TTO campaign list, and the knobs for the legacy endpoints' account check and retirement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tiktok_sandbox.support import Sandbox

SURFACED_HOURS = 49
DEFAULT_METRICS = {
    "engagement_count",
    "engagement_rate",
    "video_views",
    "likes",
    "shares",
    "comments",
    "reach",
    "total_play_time",
    "average_view_time",
    "two_seconds_views",
    "six_seconds_views",
    "video_completion_rate",
}


def create_order(sandbox: Sandbox, handles: list[str], **body: Any) -> dict[str, Any]:
    return sandbox.post(
        "/tcm/order/create/v2/", tcm_account_id=sandbox.account_id, handle_names=handles, **body
    )


def get_orders(sandbox: Sandbox, code: str) -> dict[str, Any]:
    return sandbox.get(
        "/tcm/order/get/v2/",
        tcm_account_id=sandbox.account_id,
        query_type="CAMPAIGN_CODE",
        campaign_code=code,
    )


def order_report(sandbox: Sandbox, order_ids: list[str], **params: Any) -> dict[str, Any]:
    return sandbox.get(
        "/tcm/report/get/v2/", tcm_account_id=sandbox.account_id, order_ids=order_ids, **params
    )


def apply_code(sandbox: Sandbox, handle: str, code: str) -> dict[str, Any]:
    video_id = sandbox.publish(handle, caption="Forgot the link #ad").json()["video_id"]
    applied = sandbox.http.post(
        "/sandbox/apply-code", json={"video_id": video_id, "campaign_code": code}
    )
    assert applied.status_code == 200, applied.text
    return applied.json()


@pytest.fixture
def coded(sandbox: Sandbox) -> dict[str, Any]:
    """A code with orders for alice and bob: alice posts through the code's invite link, bob
    applies the code to a post, then both posts surface."""
    order = create_order(sandbox, ["alice", "bob"], brand_name="Acme")["data"]
    alice = sandbox.publish("alice", invite_link=order["invite_link"]).json()
    sandbox.advance(1)
    bob = apply_code(sandbox, "bob", order["campaign_code"])
    sandbox.advance(SURFACED_HOURS)
    return {
        "order_ids": {o["handle_name"]: o["order_id"] for o in order["orders"]},
        "videos": {"alice": alice["video_id"], "bob": bob["video_id"]},
        "campaign_id": bob["campaign_id"],
        "code": order["campaign_code"],
    }


def test_order_report_gives_each_order_video_with_the_tto_report_figures(
    sandbox: Sandbox, coded: dict[str, Any]
):
    answer = order_report(sandbox, list(coded["order_ids"].values()))
    assert answer["code"] == 0, answer
    insights = answer["data"]["insights"]
    assert answer["data"]["page_info"] == {
        "page": 1,
        "page_size": 10,
        "total_number": 2,
        "total_page": 1,
    }
    assert [i["dimensions"] for i in insights] == [
        {
            "tcm_account_id": sandbox.account_id,
            "order_id": coded["order_ids"][handle],
            "order_type": "API_ORDER_V2",
            "video_id": coded["videos"][handle],
            "handle_name": handle,
            "video_first_release_time": day,
        }
        for handle, day in (("alice", "2026-05-01"), ("bob", "2026-05-01"))
    ]
    assert all(set(i["metrics"]) == DEFAULT_METRICS for i in insights)
    tto = sandbox.report(coded["campaign_id"], country="US")["data"]["videos"]
    for insight, video in zip(insights, tto, strict=True):
        assert insight["metrics"] == {name: video[name] for name in DEFAULT_METRICS}
        assert insight["metrics"]["video_views"] > 0


def test_order_report_chooses_metrics_and_adds_daily_stats_on_request(
    sandbox: Sandbox, coded: dict[str, Any]
):
    alice = [coded["order_ids"]["alice"]]
    chosen = order_report(
        sandbox, alice, metrics=["video_id", "video_info", "likes_paid", "video_views_by_source"]
    )["data"]["insights"][0]["metrics"]
    assert set(chosen) == {"video_id", "video_info", "likes_paid", "video_views_by_source"}
    assert chosen["video_id"] == coded["videos"]["alice"]
    refused = order_report(sandbox, alice, metrics=["likes", "ad_roas"])
    assert (refused["code"], refused["message"]) == (40002, "metrics: not supported: ad_roas")
    dates = {"start_date": "2026-05-01", "end_date": "2026-05-02"}
    without = order_report(sandbox, alice, **dates)["data"]["insights"][0]["metrics"]
    assert "daily_stats" not in without
    daily = order_report(sandbox, alice, need_daily_stats="true", **dates)["data"]["insights"]
    days = [d["date"] for d in daily[0]["metrics"]["daily_stats"]]
    assert days == ["2026-05-01", "2026-05-02"]  # now is 2026-05-03 02:00: both days are over
    missing = order_report(sandbox, alice, need_daily_stats="true")
    assert missing["code"] == 40002 and missing["message"].startswith("start_date:")


def test_order_report_pages_ignores_other_accounts_and_waits_for_surfacing(
    sandbox: Sandbox, coded: dict[str, Any]
):
    order_ids = list(coded["order_ids"].values())
    second = order_report(sandbox, order_ids, page=2, page_size=1)["data"]
    assert [i["dimensions"]["handle_name"] for i in second["insights"]] == ["bob"]
    assert order_report(sandbox, order_ids, page_size=21)["code"] == 40002
    other = sandbox.creds["other_account"]
    foreign = sandbox.get(
        "/tcm/report/get/v2/",
        token=other["access_token"],
        tcm_account_id=other["tto_tcm_account_id"],
        order_ids=order_ids,
    )
    assert foreign["code"] == 0 and foreign["data"]["insights"] == []
    fresh = create_order(sandbox, ["carol"])["data"]
    sandbox.publish("carol", invite_link=fresh["invite_link"])
    assert order_report(sandbox, [fresh["orders"][0]["order_id"]])["data"]["insights"] == []


def test_order_report_validates_order_ids(sandbox: Sandbox):
    missing = sandbox.get("/tcm/report/get/v2/", tcm_account_id=sandbox.account_id)
    assert (missing["code"], missing["message"]) == (
        40002,
        "order_ids: is required and must not be empty",
    )
    too_many = order_report(sandbox, [str(7_000_000_000_000_000_000 + i) for i in range(201)])
    assert (too_many["code"], too_many["message"]) == (
        40011,
        "order_ids: must contain at most 200 ids",
    )


def list_ids(sandbox: Sandbox, **params: Any) -> list[str]:
    answer = sandbox.get("/tto/tcm/campaign/", tto_tcm_account_id=sandbox.account_id, **params)
    return [c["campaign_id"] for c in answer["data"]["campaigns"]]


def test_code_objects_are_not_in_the_tto_campaign_list_by_default(make_sandbox):
    for profile in ("default", "strict"):
        sandbox = make_sandbox(profile=profile)
        tto = sandbox.create_campaign(["alice"], name="TTO campaign")["campaign_id"]
        order = create_order(sandbox, ["bob"])["data"]
        code_object = apply_code(sandbox, "bob", order["campaign_code"])["campaign_id"]
        assert list_ids(sandbox) == [tto]
        assert list_ids(sandbox, campaign_ids=[code_object]) == []


def test_code_objects_are_listed_with_the_knob(make_sandbox):
    sandbox = make_sandbox(code_objects_in_tto_list=True)
    order = create_order(sandbox, ["bob"])["data"]
    code_object = apply_code(sandbox, "bob", order["campaign_code"])["campaign_id"]
    assert list_ids(sandbox, campaign_ids=[code_object]) == [code_object]


def test_a_code_bound_to_a_tto_campaign_keeps_it_listed(sandbox: Sandbox):
    tto = sandbox.create_campaign(["alice"])["campaign_id"]
    bound = sandbox.post(
        "/tcm/campaign/code/create/", tcm_account_id=sandbox.account_id, campaign_id=tto
    )
    assert bound["code"] == 0
    assert list_ids(sandbox) == [tto]


def legacy_calls(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        create_order(sandbox, ["alice"]),
        get_orders(sandbox, "ABCDEFGH"),
        order_report(sandbox, ["7000000000000000001"]),
        sandbox.post(
            "/tcm/campaign/code/create/",
            tcm_account_id=sandbox.account_id,
            campaign_id="7000000000000000001",
        ),
    ]


def test_legacy_endpoints_can_refuse_a_tto_account_id(make_sandbox):
    sandbox = make_sandbox(legacy_orders_accept_tto_account=False)
    for answer in legacy_calls(sandbox):
        assert answer["code"] == 40001
        assert answer["message"].startswith(f"tcm_account_id: {sandbox.account_id} is a TTO")
    assert sandbox.get("/tcm/order/get/v2/", token=None)["code"] == 40104  # token checked first


def test_legacy_endpoints_can_be_offline(make_sandbox):
    sandbox = make_sandbox(legacy_orders_offline=True)
    for answer in legacy_calls(sandbox):
        assert (answer["code"], answer["message"]) == (41001, "This interface is offline.")
    assert sandbox.create_campaign(["alice"])["campaign_id"]  # TTO endpoints unaffected


def test_legacy_endpoints_accept_the_tto_account_by_default(sandbox: Sandbox):
    created = create_order(sandbox, ["alice"])
    assert created["code"] == 0
    assert get_orders(sandbox, created["data"]["campaign_code"])["code"] == 0
