"""Helpers for the TikTok client tests: an in-process fake of TikTok's wire, fixture files,
and a client wired to it with sleeps recorded instead of slept."""

import json
from pathlib import Path
from typing import Any

import httpx

from inviteflow.tiktok.client import TikTokClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tiktok"
BASE_URL = "https://tiktok.test"
APP_ID, APP_SECRET, TOKEN = "app-1", "app-secret-1", "token-1"


def fixture(name: str) -> dict[str, Any]:
    """A recorded answer (a whole envelope) from tests/fixtures/tiktok/<name>.json."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def ok(data: dict[str, Any] | None = None, request_id: str = "req-1") -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": request_id, "data": data or {}}


def fail(code: int, message: str = "nope", request_id: str = "req-err") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id, "data": {}}


class FakeTikTok:
    """A MockTransport handler: records every request, answers from a script.

    An answer is an envelope dict (HTTP 200), a (status, dict-or-text) pair, or an exception to
    raise; the last answer repeats.
    """

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers) or [ok()]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers={"X-Tt-Logid": "logid-1"})
        return httpx.Response(status, json=body, headers={"X-Tt-Logid": "logid-1"})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


class SpyLimiter:
    """Records what the client asks of the limiter (the real ones are tested on their own)."""

    def __init__(self) -> None:
        self.acquired: list[tuple[str, float]] = []
        self.released: list[str] = []
        self.cooldowns: list[float | None] = []

    def acquire(self, workspace_key: str, timeout: float) -> str:
        self.acquired.append((workspace_key, timeout))
        return f"grant-{len(self.acquired)}"

    def release(self, grant: str) -> None:
        self.released.append(grant)

    def start_cooldown(self, seconds: float | None = None) -> None:
        self.cooldowns.append(seconds)


def make_client(fake: FakeTikTok, **options: Any) -> TikTokClient:
    """A client on the fake wire; sleeps are skipped and jitter is fixed unless a test says."""
    options.setdefault("access_token", TOKEN)
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("rng", lambda: 0.5)
    transport = httpx.MockTransport(fake)
    return TikTokClient(BASE_URL, APP_ID, APP_SECRET, transport=transport, **options)
