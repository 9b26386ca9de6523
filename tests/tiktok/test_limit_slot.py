"""The shared rate-limit place of a call is held until its answer is in: TikTok counts a call
when it arrives, which on a busy machine can be long after it was sent, and it has certainly
counted it by the time it answers (the limiter takes the least round trip off, ratelimit.py)."""

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
def test_place_is_held_until_the_answer(live_sandbox):
    live_sandbox.faults(latency_ms=400)
    limiter = RecordingLimiter()
    with TikTokClient(
        live_sandbox.url, APP_ID, APP_SECRET, ACCESS_TOKEN, limiter=limiter
    ) as client:
        client.account_info(ACCOUNT_ID)
    (_, acquired), (_, released) = limiter.events
    assert released - acquired >= 0.4, "released before the answer: TikTok may count it later"


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
