"""The shared rate-limit place of a call is freed once the request is sent, not when the
answer arrives: TikTok counts calls on arrival, and holding the place for the whole answer
time would cap throughput at QPS / (1 s + latency)."""

import time

import pytest

from inviteflow.tiktok.client import TikTokClient
from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID, APP_ID, APP_SECRET


class RecordingLimiter:
    def __init__(self) -> None:
        self.events: list[tuple[str, float]] = []

    def acquire(self, workspace_key: str, timeout: float) -> str:
        self.events.append(("acquire", time.monotonic()))
        return "grant"

    def release(self, grant: str) -> None:
        self.events.append(("release", time.monotonic()))

    def start_cooldown(self, seconds: float | None = None) -> None:
        self.events.append(("cooldown", time.monotonic()))


@pytest.mark.django_db
def test_place_is_released_when_the_request_is_sent(live_sandbox):
    live_sandbox.faults(latency_ms=400)
    limiter = RecordingLimiter()
    with TikTokClient(
        live_sandbox.url, APP_ID, APP_SECRET, ACCESS_TOKEN, limiter=limiter
    ) as client:
        started = time.monotonic()
        client.account_info(ACCOUNT_ID)
        answered = time.monotonic()
    (_, acquired), (_, released) = limiter.events
    assert answered - started >= 0.4
    assert released - acquired < 0.2, "held past sending: the answer time would cost throughput"


def test_place_is_released_once_even_without_tracing():
    import httpx

    limiter = RecordingLimiter()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200,
            json={
                "code": 0,
                "message": "OK",
                "request_id": "r",
                "data": {"tto_tcm_account_id": ACCOUNT_ID},
            },
        )
    )
    with TikTokClient(
        "http://tiktok.test", APP_ID, APP_SECRET, ACCESS_TOKEN, limiter=limiter, transport=transport
    ) as client:
        client.account_info(ACCOUNT_ID)
    assert [name for name, _ in limiter.events] == ["acquire", "release"]
