"""Each endpoint method sends exactly the request the contract describes (§1, §3–§9)."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from inviteflow.tiktok import schemas
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.errors import AuthError

from .conftest import APP_ID, APP_SECRET, TOKEN, FakeTikTok, fixture, make_client, ok

ACCOUNT = "7100000000000000001"
CAMPAIGN = "7619254006434611213"
VIDEO = "7683390748473003277"


@dataclass
class Case:
    call: Callable[[TikTokClient], Any]
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: bool = True
    answer: dict[str, Any] = field(default_factory=ok)
    returns: type | None = None


CASES = {
    "exchange_auth_code": Case(
        lambda c: c.exchange_auth_code("code-1"),
        "POST",
        "/oauth2/access_token/",
        body={"app_id": APP_ID, "secret": APP_SECRET, "auth_code": "code-1"},
        token=False,
        answer=fixture("access_token_s3_1"),
        returns=schemas.AccessToken,
    ),
    "tto_accounts": Case(
        lambda c: c.tto_accounts(),
        "GET",
        "/tto/oauth2/tcm/",
        query={"app_id": APP_ID, "secret": APP_SECRET},
        answer=fixture("tto_accounts_s3_1"),
        returns=list,
    ),
    "account_info": Case(
        lambda c: c.account_info(ACCOUNT),
        "GET",
        "/tto/oauth2/info/",
        query={"tto_tcm_account_id": ACCOUNT},
        answer=fixture("account_info_s3_1"),
        returns=schemas.AccountInfo,
    ),
    "creator_status": Case(
        lambda c: c.creator_status(ACCOUNT, ["jane.doe", "sam"]),
        "GET",
        "/tto/tcm/creator/status/get/",
        query={"tto_tcm_account_id": ACCOUNT, "handle_names": '["jane.doe","sam"]'},
        answer=fixture("creator_status_s4_1"),
        returns=list,
    ),
    "creator_profile": Case(
        lambda c: c.creator_profile(ACCOUNT, "jane.doe"),
        "GET",
        "/tto/tcm/creator/public/",
        query={"tto_tcm_account_id": ACCOUNT, "handle_name": "jane.doe"},
        answer=fixture("creator_public_s4_2"),
        returns=schemas.CreatorProfile,
    ),
    "creator_videos_page": Case(
        lambda c: c.creator_videos_page(ACCOUNT, "jane.doe", video_ids=[VIDEO], cursor=0, limit=10),
        "GET",
        "/tto/tcm/creator/public/video/list/",
        query={
            "tto_tcm_account_id": ACCOUNT,
            "handle_name": "jane.doe",
            "video_ids": f'["{VIDEO}"]',
            "cursor": "0",
            "limit": "10",
        },
        answer=fixture("creator_video_list_s4_3"),
        returns=schemas.PostPage,
    ),
    "create_campaign": Case(
        lambda c: c.create_campaign(
            ACCOUNT,
            "Spring",
            ["jane.doe"],
            campaign_type="CAMPAIGN",
            send_notification=False,
            advertiser_ids=[],
            default_spark_ads_requested_authorization_days=30,
        ),
        "POST",
        "/tto/tcm/campaign/create/",
        body={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_name": "Spring",
            "handle_names": ["jane.doe"],
            "campaign_type": "CAMPAIGN",
            "send_notification": False,
            "advertiser_ids": [],
            "default_spark_ads_requested_authorization_days": 30,
        },
        answer=fixture("dm_info_nested"),
        returns=schemas.Campaign,
    ),
    "add_creators_to_campaign": Case(
        lambda c: c.add_creators_to_campaign(ACCOUNT, CAMPAIGN, "Spring", ["sam"]),
        "POST",
        "/tto/tcm/campaign/create/",
        body={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_id": CAMPAIGN,
            "campaign_name": "Spring",  # required on every create call (S3, contract §13)
            "handle_names": ["sam"],
        },
        answer=fixture("dm_info_nested"),
        returns=schemas.Campaign,
    ),
    "update_campaign": Case(
        lambda c: c.update_campaign(ACCOUNT, CAMPAIGN, "CAMPAIGN", handle_names=["sam"]),
        "POST",
        "/tto/tcm/campaign/update/",
        body={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_id": CAMPAIGN,
            "campaign_type": "CAMPAIGN",
            "handle_names": ["sam"],
        },
        answer=fixture("dm_info_nested"),
        returns=schemas.Campaign,
    ),
    "campaigns_page": Case(
        lambda c: c.campaigns_page(ACCOUNT, campaign_ids=[CAMPAIGN, "2"], campaign_type="CAMPAIGN"),
        "GET",
        "/tto/tcm/campaign/",
        query={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_ids": f'["{CAMPAIGN}","2"]',
            "campaign_type": "CAMPAIGN",
            "page": "1",
            "page_size": "5",
        },
        answer=fixture("campaign_list_live_s8"),
        returns=schemas.CampaignPage,
    ),
    "campaigns (empty list omitted)": Case(
        lambda c: list(c.campaigns(ACCOUNT, campaign_ids=[])),
        "GET",
        "/tto/tcm/campaign/",
        query={"tto_tcm_account_id": ACCOUNT, "page": "1", "page_size": "5"},
        returns=list,
    ),
    "link_video": Case(
        lambda c: c.link_video(ACCOUNT, CAMPAIGN, VIDEO),
        "POST",
        "/tto/tcm/campaign/link/",
        body={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_id": CAMPAIGN,
            "video_id": VIDEO,
            "action": "LINK",
        },
        answer=fixture("link_info_timestamp_int_s6_1"),
        returns=schemas.LinkInfo,
    ),
    "revoke_link": Case(
        lambda c: c.revoke_link(ACCOUNT, CAMPAIGN, VIDEO),
        "POST",
        "/tto/tcm/campaign/link/",
        body={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_id": CAMPAIGN,
            "video_id": VIDEO,
            "action": "REVOKE",
        },
        answer=fixture("link_info_timestamp_int_s6_1"),
        returns=schemas.LinkInfo,
    ),
    "link_statuses_page": Case(
        lambda c: c.link_statuses_page(
            ACCOUNT, campaign_ids=[CAMPAIGN], handle_names=["jane.doe"], page_size=20
        ),
        "GET",
        "/tto/tcm/campaign/link/status/",
        query={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_ids": f'["{CAMPAIGN}"]',
            "handle_names": '["jane.doe"]',
            "page": "1",
            "page_size": "20",
        },
        answer=fixture("link_status_timestamp_string_s6_2"),
        returns=schemas.LinkStatusPage,
    ),
    "report_page": Case(
        lambda c: c.report_page(
            ACCOUNT, CAMPAIGN, "US", start_date=date(2026, 5, 1), end_date="2026-05-31"
        ),
        "GET",
        "/tto/tcm/report/",
        query={
            "tto_tcm_account_id": ACCOUNT,
            "campaign_id": CAMPAIGN,
            "start_date": "2026-05-01",
            "end_date": "2026-05-31",
            "page": "1",
            "page_size": "10",  # TIKTOK_REPORT_PAGE_SIZE
        },
        headers={"Country-Code": "US"},
        answer=fixture("report_views_by_source_object_s7_3"),
        returns=schemas.ReportPage,
    ),
    "create_campaign_code": Case(
        lambda c: c.create_campaign_code(
            "tcm-1", "Acme", "Spring posts", ["jane.doe"], video_number=4, order_source="OTHER"
        ),
        "POST",
        "/tcm/order/create/v2/",
        body={
            "tcm_account_id": "tcm-1",
            "brand_name": "Acme",
            "description": "Spring posts",
            "handle_names": ["jane.doe"],
            "video_number": 4,
            "order_source": "OTHER",
        },
        answer=fixture("order_create_v2_s6_4"),
        returns=schemas.OrderCreated,
    ),
    "get_order": Case(
        lambda c: c.get_order("tcm-1", campaign_code="SPRING7Q2"),
        "GET",
        "/tcm/order/get/v2/",
        query={
            "tcm_account_id": "tcm-1",
            "query_type": "CAMPAIGN_CODE",
            "campaign_code": "SPRING7Q2",
            "page": "1",
            "page_size": "10",  # TIKTOK_ORDER_PAGE_SIZE
        },
        answer=fixture("order_get_v2_s6_4"),
        returns=schemas.OrderPage,
    ),
    "get_order by ids": Case(
        lambda c: c.get_order("tcm-1", order_ids=["1", "2"], page_size=20),
        "GET",
        "/tcm/order/get/v2/",
        query={
            "tcm_account_id": "tcm-1",
            "query_type": "ORDER_ID",
            "order_ids": '["1","2"]',
            "page": "1",
            "page_size": "20",
        },
        answer=fixture("order_get_v2_s6_4"),
        returns=schemas.OrderPage,
    ),
    "subscribe": Case(
        lambda c: c.subscribe(ACCOUNT, "https://inviteflow.test/hooks/tiktok/"),
        "POST",
        "/subscription/subscribe/",
        body={
            "app_id": APP_ID,
            "secret": APP_SECRET,
            "subscribe_entity": "TCM_VIDEOS",
            "callback_url": "https://inviteflow.test/hooks/tiktok/",
            "subscription_detail": {"access_token": TOKEN, "tto_tcm_account_id": ACCOUNT},
        },
        token=False,
        answer=ok({"subscription_id": 7900000000000000001}),
        returns=str,
    ),
    "subscriptions_page": Case(
        lambda c: c.subscriptions_page(page_size=100),
        "GET",
        "/subscription/get/",
        query={
            "app_id": APP_ID,
            "secret": APP_SECRET,
            "subscribe_entity": "TCM_VIDEOS",
            "page": "1",
            "page_size": "100",
        },
        token=False,
        answer=fixture("subscription_get_legacy_key_s9_1"),
        returns=schemas.SubscriptionPage,
    ),
    "unsubscribe": Case(
        lambda c: c.unsubscribe("7900000000000000001"),
        "POST",
        "/subscription/unsubscribe/",
        body={"app_id": APP_ID, "secret": APP_SECRET, "subscription_id": "7900000000000000001"},
        token=False,
        returns=type(None),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_endpoint_sends_the_contract_request(case: Case):
    fake = FakeTikTok(case.answer)
    result = case.call(make_client(fake))

    [request] = fake.requests
    assert request.method == case.method
    assert request.url.scheme == "https" and request.url.host == "tiktok.test"
    assert request.url.path == "/open_api/v1.3" + case.path
    assert dict(request.url.params) == case.query
    assert len(request.url.params.multi_items()) == len(case.query)
    if case.body is None:
        assert request.content == b""
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == case.body
    assert request.headers.get("Access-Token") == (TOKEN if case.token else None)
    for name, value in case.headers.items():
        assert request.headers[name] == value
    assert isinstance(result, case.returns)


def test_list_parameters_are_compact_json_in_the_query_string():
    fake = FakeTikTok(ok())
    make_client(fake).creator_status(ACCOUNT, ["a", "b"])
    assert b"handle_names=%5B%22a%22%2C%22b%22%5D" in fake.last.url.query


def test_base_url_may_end_with_a_slash():
    fake = FakeTikTok(ok({"tto_tcm_account_id": ACCOUNT}))
    transport = httpx.MockTransport(fake)
    client = TikTokClient("http://127.0.0.1:8001/", APP_ID, APP_SECRET, TOKEN, transport=transport)
    client.account_info(ACCOUNT)
    assert str(fake.last.url).startswith("http://127.0.0.1:8001/open_api/v1.3/tto/oauth2/info/?")


def test_brand_calls_without_a_token_fail_before_sending():
    fake = FakeTikTok()
    with pytest.raises(AuthError) as caught:
        make_client(fake, access_token=None).account_info(ACCOUNT)
    assert caught.value.code == 40104
    assert fake.requests == []


def test_campaign_pages_are_at_most_five():
    fake = FakeTikTok()
    with pytest.raises(ValueError, match="page_size"):
        list(make_client(fake).campaigns(ACCOUNT, page_size=6))
    assert fake.requests == []


@pytest.mark.parametrize(
    "selectors",
    [{}, {"order_ids": ["1"], "campaign_code": "X"}, {"campaign_code": "X", "invite_link": "u"}],
)
def test_get_order_needs_exactly_one_selector(selectors):
    fake = FakeTikTok()
    with pytest.raises(ValueError, match="exactly one"):
        make_client(fake).get_order("tcm-1", **selectors)
    assert fake.requests == []


def _campaign_page(ids: list[str], page: int, total_page: int) -> dict:
    campaigns = [{"campaign_id": i} for i in ids]
    info = {"page": page, "page_size": 5, "total_number": 11, "total_page": total_page}
    return ok({"campaigns": campaigns, "page_info": info})


def test_campaigns_iterates_every_page():
    fake = FakeTikTok(
        _campaign_page(["1", "2", "3", "4", "5"], 1, 3),
        _campaign_page(["6", "7", "8", "9", "10"], 2, 3),
        _campaign_page(["11"], 3, 3),
    )
    ids = [c.campaign_id for c in make_client(fake).campaigns(ACCOUNT, campaign_type="BRAND_LINK")]
    assert ids == [str(n) for n in range(1, 12)]
    assert [r.url.params["page"] for r in fake.requests] == ["1", "2", "3"]
    assert {r.url.params["campaign_type"] for r in fake.requests} == {"BRAND_LINK"}


def test_pages_without_a_total_stop_at_a_short_page():
    full = {"video_infos": [{"video_id": "1"}, {"video_id": "2"}], "page_info": {"page_size": 2}}
    short = {"video_infos": [{"video_id": "3"}], "page_info": {"page_size": 2}}
    fake = FakeTikTok(ok(full), ok(short))
    assert [v.video_id for v in make_client(fake).link_statuses(ACCOUNT)] == ["1", "2", "3"]
    assert len(fake.requests) == 2


def test_report_sends_country_code_on_every_page():
    page = fixture("report_views_by_source_object_s7_3")
    second = json.loads(json.dumps(page))
    page["data"]["page_info"]["total_page"] = 2
    second["data"]["page_info"].update(page=2, total_page=2)
    fake = FakeTikTok(page, second)
    videos = list(make_client(fake).report(ACCOUNT, CAMPAIGN, "GB", page_size=10))
    assert len(videos) == 2
    assert [r.headers["Country-Code"] for r in fake.requests] == ["GB", "GB"]
    assert [r.url.params["page"] for r in fake.requests] == ["1", "2"]


def test_creator_videos_follow_the_cursor():
    first = fixture("creator_video_list_s4_3")
    last = ok({"posts": [{"video_id": "3"}], "page_info": {"has_more": False, "cursor": 5}})
    fake = FakeTikTok(first, last)
    videos = list(make_client(fake).creator_videos(ACCOUNT, "jane.doe", limit=2))
    assert [v.video_id for v in videos] == [VIDEO, "7683390748473003001", "3"]
    assert "cursor" not in fake.requests[0].url.params
    assert fake.requests[1].url.params["cursor"] == "1746180000000"


def test_creator_videos_stop_when_the_cursor_does_not_move():
    stuck = ok({"posts": [{"video_id": "1"}], "page_info": {"has_more": True, "cursor": 7}})
    fake = FakeTikTok(stuck)
    assert len(list(make_client(fake).creator_videos(ACCOUNT, "jane.doe"))) == 2
    assert len(fake.requests) == 2
