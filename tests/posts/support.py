"""The TikTok sandbox on a loopback port for attribution tests, its webhooks captured.

The sandbox is served over real HTTP (a threaded Werkzeug server in a daemon thread) with
the rate limits out of the way. Its webhooks are captured instead of POSTed, so a test
delivers them to inviteflow's receiver itself: all of them, some twice, some never, in
any order.
"""

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tiktok_sandbox.app import SandboxApp

FAST = {"qps": 100_000, "qpm": 10_000_000, "webhook_retry_backoff_s": 0.0}


@dataclass(frozen=True)
class Delivery:
    """One webhook the sandbox wanted to send."""

    url: str
    body: bytes
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


class CapturedWebhooks:
    """The sandbox's `webhook_sender`: keeps each delivery and answers 200."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Delivery] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            self._pending.append(Delivery(url, body, dict(headers)))
        return 200

    def take(self) -> list[Delivery]:
        with self._lock:
            taken, self._pending = self._pending, []
        return taken


class Sandbox:
    def __init__(self, app: SandboxApp, port: int, webhooks: CapturedWebhooks) -> None:
        self.app, self.webhooks = app, webhooks
        self.base_url = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.base_url, timeout=10)
        self.creds = self.http.get("/sandbox/credentials").json()
        self.account_id = self.creds["tto_tcm_account_id"]
        self.token = self.creds["access_token"]

    def publish(self, handle: str, invite_link: str | None = None, **body: Any) -> dict[str, Any]:
        payload = {"handle": handle, **body}
        if invite_link:
            payload["invite_link"] = invite_link
        response = self.http.post("/sandbox/publish", json=payload)
        assert response.status_code == 201, response.text
        return response.json()

    def advance(self, hours: float) -> None:
        self.http.post("/sandbox/clock", json={"advance_hours": hours}).raise_for_status()

    def deliveries(self) -> list[Delivery]:
        """Every webhook sent since the last call, in the order the sandbox sent them."""
        assert self.app.flush_webhooks(timeout=10)
        return self.webhooks.take()
