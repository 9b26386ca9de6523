"""The client against the TikTok sandbox: every endpoint round-trips with typed results, the
contract's error conditions (§11.1) arrive as the right exceptions, the limiter keeps the
sandbox's own rate limit from ever answering 40100, and one test goes over real loopback HTTP."""

import threading
import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from werkzeug.serving import make_server

from inviteflow.tiktok import schemas
from inviteflow.tiktok.client import TikTokClient, read_envelope
from inviteflow.tiktok.errors import (
    AuthError,
    InvalidParams,
    NotFound,
    PermissionDenied,
    RateLimitTimeout,
    Throttled,
    Timeout,
)
from inviteflow.tiktok.ratelimit import Budget, DatabaseBackend, RateLimiter
from tiktok_sandbox.app import create_app
from tiktok_sandbox.config import SandboxConfig

API = "/open_api/v1.3"
FAST = {"clock_start": "2026-05-01T00:00:00Z", "qps": 100_000, "qpm": 1_000_000}


class Clock:
    """One fake clock for the sandbox's rate limiter and ours: a minute passes in no time."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Sandbox:
    def __init__(self, **knobs) -> None:
        self.clock = Clock()
        self.webhooks: list[bytes] = []
        self.app = create_app(
            config=SandboxConfig(**{**FAST, **knobs}),
            webhook_sender=lambda url, body, headers: self.webhooks.append(body) or 200,
            monotonic=self.clock,
        )
        self.control = httpx.Client(transport=self.transport(), base_url="http://sandbox")
        self.creds = self.control.get("/sandbox/credentials").json()
        self.account = self.creds["tto_tcm_account_id"]

    def transport(self) -> httpx.WSGITransport:
        return httpx.WSGITransport(app=self.app)

    def client(self, token: str | None = "", **options) -> TikTokClient:
        token = self.creds["access_token"] if token == "" else token
        options.setdefault("sleep", lambda seconds: None)
        return TikTokClient(
            "http://sandbox",
            self.creds["app_id"],
            self.creds["secret"],
            token,
            transport=self.transport(),
            **options,
        )

    def publish(self, handle: str, **body) -> dict:
        response = self.control.post("/sandbox/publish", json={"handle": handle, **body})
        assert response.status_code == 201, response.text
        return response.json()

    def advance(self, hours: float) -> None:
        self.control.post("/sandbox/clock", json={"advance_hours": hours}).raise_for_status()

    def stats(self) -> dict:
        return self.control.get("/sandbox/stats").json()


@pytest.fixture
def sandbox():
    box = Sandbox()
    yield box
    box.app.close()


@pytest.fixture
def client(sandbox):
    with sandbox.client() as tiktok:
        yield tiktok


# §3.1 --------------------------------------------------------------------------------------------


CALLBACK = "https://inviteflow.test/tiktok/callback/"


def consent(sandbox: Sandbox, redirect_uri: str = CALLBACK) -> str:
    """Click "Authorize" on the sandbox's consent page; returns the auth code."""
    form = {
        "app_id": sandbox.creds["app_id"],
        "state": "s1",
        "redirect_uri": redirect_uri,
        "decision": "authorize",
        "account_ids": [sandbox.account],
    }
    answer = sandbox.control.post("/portal/auth", data=form)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["Location"]).query)["auth_code"][0]


def test_oauth_code_exchange_then_accounts_and_info(sandbox):
    code = consent(sandbox)
    token = sandbox.client(token=None).exchange_auth_code(code)
    assert isinstance(token, schemas.AccessToken)
    connected = sandbox.client(token=token.access_token.get_secret_value())
    assert connected.tto_accounts() == [sandbox.account]
    info = connected.account_info(sandbox.account)
    assert info.tto_tcm_account_id == sandbox.account
    assert info.account_name and info.country and info.business_verification_status
    with pytest.raises(AuthError) as caught:  # auth codes are single use
        sandbox.client(token=None).exchange_auth_code(code)
    assert caught.value.code == 40110


# §4 ----------------------------------------------------------------------------------------------


def test_creator_status_and_profile(sandbox, client):
    statuses = client.creator_status(sandbox.account, ["jane.doe", "notin_sam", "invalid_x"])
    assert [(s.handle_name, s.status) for s in statuses] == [
        ("jane.doe", "IN"),
        ("notin_sam", "NOT_IN"),
        ("invalid_x", "INVALID"),
    ]
    profile = client.creator_profile(sandbox.account, "jane.doe")
    assert profile.handle_name == "jane.doe"
    assert profile.followers_count is not None and profile.followers_count > 0


def test_creator_videos_follow_the_cursor(sandbox, client):
    published = [sandbox.publish("jane.doe", caption=f"post {n}")["video_id"] for n in range(3)]
    first = client.creator_videos_page(sandbox.account, "jane.doe", limit=2)
    assert len(first.posts) == 2 and first.page_info.has_more
    videos = list(client.creator_videos(sandbox.account, "jane.doe", limit=2))
    assert sorted(v.video_id for v in videos) == sorted(published)
    assert all(isinstance(v.video_id, str) and len(v.video_id) == 19 for v in videos)


# §5 ----------------------------------------------------------------------------------------------


def test_campaign_create_add_update_and_list(sandbox, client):
    campaign = client.create_campaign(
        sandbox.account,
        "Spring Launch",
        ["jane.doe", "invalid_x"],
        campaign_type="CAMPAIGN",
        business_account_handle="acme",
    )
    assert len(campaign.campaign_id) == 19
    assert campaign.invite_link
    assert campaign.failed_handle_names == ["invalid_x"]
    assert campaign.dm_info.business_account_handle == "acme"
    added = client.add_creators_to_campaign(
        sandbox.account, campaign.campaign_id, campaign.campaign_name, ["sam"]
    )
    assert added.campaign_id == campaign.campaign_id
    assert added.invite_link == campaign.invite_link
    updated = client.update_campaign(
        sandbox.account, campaign.campaign_id, "CAMPAIGN", handle_names=["jane.doe"]
    )
    assert updated.campaign_id == campaign.campaign_id
    [listed] = client.campaigns(sandbox.account, campaign_ids=[campaign.campaign_id])
    assert listed.campaign_name == "Spring Launch"
    assert listed.invite_link == campaign.invite_link


def test_campaign_list_pages_by_five(sandbox, client):
    created = [client.create_campaign(sandbox.account, f"c{n}", ["jane.doe"]) for n in range(7)]
    page = client.campaigns_page(sandbox.account)
    assert (len(page.campaigns), page.page_info.total_page) == (5, 2)
    listed = [c.campaign_id for c in client.campaigns(sandbox.account, campaign_type="CAMPAIGN")]
    assert listed == [c.campaign_id for c in created]


# §6 ----------------------------------------------------------------------------------------------


def test_linking_request_is_sent_approved_and_revoked(sandbox, client):
    campaign = client.create_campaign(sandbox.account, "Retro", ["jane.doe"])
    approved = sandbox.publish("jane.doe")["video_id"]
    revoked = sandbox.publish("jane.doe")["video_id"]
    request = client.link_video(sandbox.account, campaign.campaign_id, approved)
    assert request.status == "IN_REVIEW" and request.link_request_id
    client.link_video(sandbox.account, campaign.campaign_id, revoked)
    confirm = f"/sandbox/link-requests/{request.link_request_id}/confirm"
    sandbox.control.post(confirm, json={"action": "APPROVE"}).raise_for_status()
    withdrawn = client.revoke_link(sandbox.account, campaign.campaign_id, revoked)
    assert withdrawn.status == "REVOKE"
    statuses = {
        info.video_id: info.status
        for info in client.link_statuses(sandbox.account, campaign_ids=[campaign.campaign_id])
    }
    assert statuses == {approved: "APPROVE", revoked: "REVOKE"}
    page = client.link_statuses_page(sandbox.account, handle_names=["jane.doe"], page_size=1)
    assert page.page_info.total_page == 2


# §7 ----------------------------------------------------------------------------------------------


def test_report_after_videos_surface(sandbox, client):
    campaign = client.create_campaign(sandbox.account, "Spring", ["jane.doe"])
    video = sandbox.publish("jane.doe", invite_link=campaign.invite_link)["video_id"]
    sandbox.advance(72)
    [listed] = client.campaigns(sandbox.account, campaign_ids=[campaign.campaign_id])
    assert listed.video_ids == [video]
    [metrics] = client.report(
        sandbox.account,
        campaign.campaign_id,
        "US",
        start_date=date(2026, 5, 1),
        end_date=date(2026, 5, 3),
    )
    assert metrics.id == video
    assert metrics.creator_info.handle_name == "jane.doe"
    assert metrics.video_views == metrics.video_views_organic + metrics.video_views_paid
    assert metrics.engagement_count == metrics.likes + metrics.comments + metrics.shares
    assert sum(metrics.video_views_by_source.values()) == metrics.video_views
    assert metrics.video_view_retention and metrics.daily_stats
    assert sum(s.percentage for s in metrics.audience_genders_distribution) == pytest.approx(1)
    page = client.report_page(sandbox.account, campaign.campaign_id, "US")
    assert page.campaign_channel_type == "API_LITE_CAMPAIGN" and page.country_code == "US"


# §6.4 --------------------------------------------------------------------------------------------


def test_campaign_code_orders(sandbox, client):
    created = client.create_campaign_code(
        sandbox.account, "Acme", "Spring posts", ["jane.doe"], video_number=4
    )
    assert created.campaign_code and created.invite_link
    [order] = created.orders
    assert order.quota.per_creator_video_limit == 4
    by_code = client.get_order(sandbox.account, campaign_code=created.campaign_code)
    by_link = client.get_order(sandbox.account, invite_link=created.invite_link)
    by_id = client.get_order(sandbox.account, order_ids=[order.order_id])
    assert [o.order_id for o in by_code.orders + by_link.orders + by_id.orders] == [
        order.order_id
    ] * 3


# §9.1 --------------------------------------------------------------------------------------------


def test_subscribe_list_unsubscribe(sandbox, client):
    subscription_id = client.subscribe(sandbox.account, "https://inviteflow.test/hooks/tiktok/")
    [listed] = client.subscriptions()
    assert listed.subscription_id == subscription_id
    assert listed.subscription_detail.tto_tcm_account_id == sandbox.account
    assert listed.callback_url == "https://inviteflow.test/hooks/tiktok/"
    client.unsubscribe(subscription_id)
    assert list(client.subscriptions()) == []


# §11.1 errors ------------------------------------------------------------------------------------


def test_unknown_path_and_missing_token_map_through_the_envelope(sandbox):
    raw = httpx.Client(transport=sandbox.transport(), base_url="http://sandbox")
    with pytest.raises(NotFound) as unknown:
        read_envelope(raw.get(f"{API}/tto/tcm/nothing/here/"))
    assert unknown.value.code == 40400 and unknown.value.request_id
    with pytest.raises(AuthError) as missing:
        read_envelope(raw.get(f"{API}/tto/oauth2/info/", params={"tto_tcm_account_id": "1"}))
    assert missing.value.code == 40104


def test_unknown_token(sandbox):
    with pytest.raises(AuthError) as caught:
        sandbox.client(token="not-a-token").account_info(sandbox.account)
    assert caught.value.code == 40105 and not caught.value.retryable


def test_expired_token():
    box = Sandbox(tto_token_expires=True, tto_token_ttl_hours=1)
    try:
        code = consent(box)
        token = box.client(token=None).exchange_auth_code(code).access_token.get_secret_value()
        box.advance(2)
        with pytest.raises(AuthError) as caught:
            box.client(token=token).account_info(box.account)
        assert caught.value.code == 40102
    finally:
        box.app.close()


def test_bad_parameters(sandbox, client):
    with pytest.raises(InvalidParams) as caught:
        client.creator_status(sandbox.account, [])  # empty list omitted: handle_names missing
    assert caught.value.code == 40002 and "handle_names" in caught.value.message


def test_another_accounts_objects(sandbox, client):
    with pytest.raises(PermissionDenied) as caught:
        client.account_info(sandbox.creds["other_account"]["tto_tcm_account_id"])
    assert caught.value.code == 40001


def test_throttle_answers_pause_briefly_then_start_the_cooldown(sandbox, db):
    limiter = RateLimiter(
        DatabaseBackend(Budget(10, 600)), clock=sandbox.clock, sleep=sandbox.clock.sleep
    )
    client = sandbox.client(limiter=limiter, limiter_timeout=30)
    sandbox.control.post("/sandbox/throttle", json={"cooldown_s": 300}).raise_for_status()
    with pytest.raises(Throttled) as caught:
        client.account_info(sandbox.account)
    assert caught.value.code == 40100
    assert limiter.cooldown_remaining() == pytest.approx(5)  # the first: a brief pause
    with pytest.raises(Throttled):
        client.account_info(sandbox.account)  # sent after the pause; TikTok still refuses
    assert limiter.cooldown_remaining() == pytest.approx(300)  # the second: the full cool-down
    with pytest.raises(RateLimitTimeout):
        client.account_info(sandbox.account)
    assert sandbox.stats()["total_calls"] == 2


def test_the_limiter_keeps_the_sandbox_from_ever_throttling(db):
    box = Sandbox(qps=10, qpm=600)
    try:
        limiter = RateLimiter(
            DatabaseBackend(Budget(10, 600)), clock=box.clock, sleep=box.clock.sleep
        )
        client = box.client(limiter=limiter)
        for _ in range(35):
            client.account_info(box.account)
        assert box.stats()["throttled"] == 0
        assert box.clock.now - 1_000_000.0 < 4 * 1.05  # ≈ 9.5 calls per simulated second
        bare = box.client()
        with pytest.raises(Throttled):  # without it, the 11th call in a second is refused
            for _ in range(11):
                bare.account_info(box.account)
    finally:
        box.app.close()


def test_reads_outlast_injected_server_errors():
    box = Sandbox(error_rate=0.3, random_seed=7)
    try:
        sleeps: list[float] = []
        client = box.client(max_retries=6, sleep=sleeps.append)
        for _ in range(20):
            assert client.account_info(box.account).tto_tcm_account_id == box.account
        by_code = box.stats()["by_code"]
        assert by_code["0"] == 20
        assert by_code.get("50000", 0) + by_code.get("50002", 0) == len(sleeps) > 0
    finally:
        box.app.close()


# Real loopback HTTP ------------------------------------------------------------------------------


@pytest.fixture
def served_sandbox():
    box = Sandbox()
    server = make_server("127.0.0.1", 0, box.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box, f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(5)
    box.app.close()


def test_over_loopback_http(served_sandbox):
    box, base_url = served_sandbox
    creds = box.creds
    with TikTokClient(
        base_url, creds["app_id"], creds["secret"], creds["access_token"], timeout=5.0
    ) as client:
        assert client.tto_accounts() == [box.account]
        campaign = client.create_campaign(box.account, "Loopback", ["jane.doe"])
        assert campaign.invite_link.startswith(base_url + "/t/")
        [listed] = client.campaigns(box.account, campaign_ids=[campaign.campaign_id])
        assert listed.campaign_id == campaign.campaign_id


def test_a_write_that_times_out_over_loopback_is_not_retried(served_sandbox):
    box, base_url = served_sandbox
    box.control.put("/sandbox/faults", json={"timeout_rate": 1.0, "timeout_sleep_s": 0.5})
    creds = box.creds
    with TikTokClient(
        base_url, creds["app_id"], creds["secret"], creds["access_token"], timeout=0.2
    ) as client:
        with pytest.raises(Timeout) as caught:
            client.create_campaign(box.account, "Slow", ["jane.doe"])
    assert caught.value.retryable is False  # TikTok may have created it: reconcile, never resend
    deadline = time.monotonic() + 3
    while box.stats()["total_calls"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert box.stats()["campaign_objects_created"] == 1
