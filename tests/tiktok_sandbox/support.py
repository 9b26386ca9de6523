"""Test support for the sandbox: an in-process sandbox on a frozen clock, reached over HTTP
through httpx's WSGI transport, with a recording webhook sender and a fake monotonic clock for the
rate limiter. Nothing here touches Django or the network."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from tiktok_sandbox.app import SandboxApp

API = "/open_api/v1.3"
START = "2026-05-01T00:00:00Z"
TEST_DEFAULTS: dict[str, Any] = {
    "clock_start": START,
    "qps": 10_000,
    "qpm": 1_000_000,
    "webhook_retry_backoff_s": 0.0,
}


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class WebhookRecorder:
    """Stands in for the brand's webhook receiver."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes, dict[str, str]]] = []
        self.status = 200

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        self.calls.append((url, body, headers))
        return self.status

    def events(self) -> list[dict[str, Any]]:
        return [entry for _, body, _ in self.calls for entry in json.loads(body)["entry"]]


class Sandbox:
    """A sandbox plus a client that speaks as the demo brand by default."""

    def __init__(
        self, app: SandboxApp, monotonic: FakeMonotonic, webhooks: WebhookRecorder
    ) -> None:
        self.app, self.monotonic, self.webhooks = app, monotonic, webhooks
        self.http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox")
        self.creds = self.http.get("/sandbox/credentials").json()
        self.account_id = self.creds["tto_tcm_account_id"]
        self.token = self.creds["access_token"]

    def get(
        self,
        path: str,
        token: str | None = "",
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
        response = self.http.get(API + path, params=query, headers=self._headers(token, headers))
        return self._envelope(response)

    def post(
        self, path: str, token: str | None = "", headers: dict[str, str] | None = None, **body: Any
    ) -> dict[str, Any]:
        response = self.http.post(API + path, json=body, headers=self._headers(token, headers))
        return self._envelope(response)

    def create_campaign(
        self, handles: list[str], name: str = "Spring Launch", **extra: Any
    ) -> dict[str, Any]:
        answer = self.post(
            "/tto/tcm/campaign/create/",
            tto_tcm_account_id=self.account_id,
            campaign_name=name,
            handle_names=handles,
            **extra,
        )
        assert answer["code"] == 0, answer
        return answer["data"]

    def publish(self, handle: str, **body: Any) -> httpx.Response:
        return self.http.post("/sandbox/publish", json={"handle": handle, **body})

    def advance(self, hours: float) -> dict[str, Any]:
        return self.http.post("/sandbox/clock", json={"advance_hours": hours}).json()

    def report(self, campaign_id: str, country: str = "US", **params: Any) -> dict[str, Any]:
        return self.get(
            "/tto/tcm/report/",
            headers={"Country-Code": country},
            tto_tcm_account_id=self.account_id,
            campaign_id=campaign_id,
            **params,
        )

    def _headers(self, token: str | None, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        token = self.token if token == "" else token
        if token:
            headers["Access-Token"] = token
        return headers

    @staticmethod
    def _envelope(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"code", "message", "request_id", "data"}, body
        assert response.headers["X-Tt-Logid"] == body["request_id"]
        return body


def signature_ok(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Open-Signature"], expected)
