"""Retries: reads only, retryable errors only, bounded, with full-jitter backoff; writes never.
And the client's side of the rate limit: one slot per HTTP attempt, a cool-down on throttling."""

import random

import httpx
import pytest

from inviteflow.tiktok.client import backoff_delay
from inviteflow.tiktok.errors import (
    ConnectionFailed,
    InvalidParams,
    RateLimitTimeout,
    Throttled,
    Timeout,
    TransientServerError,
)

from .conftest import FakeTikTok, SpyLimiter, fail, fixture, make_client, ok

ACCOUNT = "7100000000000000001"
REQUEST = httpx.Request("GET", "https://tiktok.test/")
INFO = ok({"tto_tcm_account_id": ACCOUNT})


def test_backoff_grows_exponentially_up_to_the_cap():
    ceilings = [backoff_delay(n, base=0.5, cap=8.0, rng=lambda: 1.0) for n in range(7)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_backoff_is_full_jitter_below_the_ceiling():
    assert backoff_delay(3, base=0.5, cap=8.0, rng=lambda: 0.0) == 0.0
    assert backoff_delay(3, base=0.5, cap=8.0, rng=lambda: 0.25) == 1.0
    draws = [backoff_delay(2, 0.5, 8.0, random.Random(7).random) for _ in range(50)]
    assert all(0.0 <= d < 2.0 for d in draws)


def test_transient_read_errors_are_retried_with_backoff():
    sleeps: list[float] = []
    fake = FakeTikTok(fail(50000), httpx.ConnectError("refused", request=REQUEST), INFO)
    info = make_client(fake, sleep=sleeps.append, rng=lambda: 0.5).account_info(ACCOUNT)
    assert info.tto_tcm_account_id == ACCOUNT
    assert len(fake.requests) == 3
    assert sleeps == [0.25, 0.5]  # rng 0.5 × 0.5·2^n


def test_read_retries_are_bounded():
    sleeps: list[float] = []
    fake = FakeTikTok(fail(51065, "TTOP_SERVICE_ERROR"))
    with pytest.raises(TransientServerError) as caught:
        make_client(fake, max_retries=3, sleep=sleeps.append).account_info(ACCOUNT)
    assert caught.value.code == 51065
    assert len(fake.requests) == 4
    assert len(sleeps) == 3


def test_read_timeouts_are_retried():
    fake = FakeTikTok(httpx.ReadTimeout("slow", request=REQUEST), INFO)
    make_client(fake).account_info(ACCOUNT)
    assert len(fake.requests) == 2


def test_non_retryable_read_errors_are_not_retried():
    sleeps: list[float] = []
    fake = FakeTikTok(fail(40002, "handle_names: required"))
    with pytest.raises(InvalidParams):
        make_client(fake, sleep=sleeps.append).creator_status(ACCOUNT, ["a"])
    assert len(fake.requests) == 1
    assert sleeps == []


WRITES = {
    "create_campaign": lambda c: c.create_campaign(ACCOUNT, "Spring", ["jane.doe"]),
    "add_creators_to_campaign": lambda c: c.add_creators_to_campaign(ACCOUNT, "1", "c", ["sam"]),
    "update_campaign": lambda c: c.update_campaign(ACCOUNT, "1", "CAMPAIGN"),
    "link_video": lambda c: c.link_video(ACCOUNT, "1", "2"),
    "revoke_link": lambda c: c.revoke_link(ACCOUNT, "1", "2"),
    "create_campaign_code": lambda c: c.create_campaign_code("t", "Acme", "d", ["jane.doe"]),
    "exchange_auth_code": lambda c: c.exchange_auth_code("code"),
    "subscribe": lambda c: c.subscribe(ACCOUNT, "https://x.test/"),
    "unsubscribe": lambda c: c.unsubscribe("1"),
}


@pytest.mark.parametrize("call", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (fail(50002, "SYS_TIMEOUT"), TransientServerError),
        (httpx.ReadTimeout("slow", request=REQUEST), Timeout),
        (httpx.ConnectError("refused", request=REQUEST), ConnectionFailed),
    ],
)
def test_writes_are_sent_once_whatever_happens(call, answer, cls):
    """A write that failed may still have created the object: the caller reconciles."""
    sleeps: list[float] = []
    success = ok({"campaign_id": "1", "campaign_code": "C", "subscription_id": "1"})
    fake = FakeTikTok(answer, success)
    with pytest.raises(cls):
        call(make_client(fake, sleep=sleeps.append))
    assert len(fake.requests) == 1
    assert sleeps == []


def test_each_http_attempt_takes_a_rate_limit_slot_for_its_workspace():
    limiter = SpyLimiter()
    fake = FakeTikTok(fail(50000), INFO)
    client = make_client(fake, limiter=limiter, workspace_key="acme", limiter_timeout=12.0)
    client.account_info(ACCOUNT)
    assert limiter.acquired == [("acme", 12.0), ("acme", 12.0)]
    assert limiter.released == ["grant-1", "grant-2"]  # each held until its answer was in
    assert limiter.cooldowns == []


def test_a_slot_is_released_when_the_call_fails_on_the_way():
    limiter = SpyLimiter()
    fake = FakeTikTok(httpx.ReadTimeout("slow", request=REQUEST))
    with pytest.raises(Timeout):
        make_client(fake, limiter=limiter).create_campaign(ACCOUNT, "c", ["a"])
    assert limiter.released == ["grant-1"]


def test_a_throttle_answer_starts_the_shared_cooldown_and_is_not_retried():
    limiter = SpyLimiter()
    sleeps: list[float] = []
    fake = FakeTikTok(fixture("throttled_40100_s2_2"), INFO)
    with pytest.raises(Throttled) as caught:
        make_client(fake, limiter=limiter, sleep=sleeps.append).account_info(ACCOUNT)
    assert caught.value.retryable  # for the caller, after the cool-down
    assert limiter.cooldowns == [None]  # the limiter's configured cool-down
    assert limiter.released == ["grant-1"]
    assert len(fake.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("code", [40132, 61000])
def test_every_throttle_code_starts_the_cooldown(code):
    limiter = SpyLimiter()
    with pytest.raises(Throttled):
        make_client(FakeTikTok(fail(code)), limiter=limiter).create_campaign(ACCOUNT, "c", ["a"])
    assert limiter.cooldowns == [None]


def test_a_limiter_timeout_sends_nothing_and_starts_no_cooldown():
    class Exhausted(SpyLimiter):
        def acquire(self, workspace_key, timeout):
            raise RateLimitTimeout(None, "no slot")

    limiter = Exhausted()
    fake = FakeTikTok(INFO)
    with pytest.raises(RateLimitTimeout):
        make_client(fake, limiter=limiter).account_info(ACCOUNT)
    assert fake.requests == []
    assert limiter.cooldowns == []
