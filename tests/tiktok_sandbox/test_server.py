"""Over real loopback sockets: the threaded server, webhook delivery through outbound.py, and the
`python -m tiktok_sandbox` entry point."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tiktok_sandbox.app import create_app
from tiktok_sandbox.config import SandboxConfig

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


@contextmanager
def running(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(5)


def receiver(received: list[tuple[bytes, str]]):
    @Request.application
    def app(request: Request) -> Response:
        received.append((request.get_data(), request.headers.get("X-Open-Signature", "")))
        return Response("ok")

    return app


def test_threaded_server_delivers_signed_webhooks_over_http():
    received: list[tuple[bytes, str]] = []
    sandbox = create_app(config=SandboxConfig(clock_start="2026-05-01T00:00:00Z"))
    try:
        with running(receiver(received)) as hook_url, running(sandbox) as base:
            client = httpx.Client(base_url=base, timeout=5)
            creds = client.get("/sandbox/credentials").json()
            subscribed = client.post(
                "/open_api/v1.3/subscription/subscribe/",
                json={
                    "app_id": creds["app_id"],
                    "secret": creds["secret"],
                    "subscribe_entity": "TCM_VIDEOS",
                    "callback_url": hook_url + "/hooks",
                    "subscription_detail": {
                        "access_token": creds["access_token"],
                        "tto_tcm_account_id": creds["tto_tcm_account_id"],
                    },
                },
            )
            assert subscribed.json()["code"] == 0
            created = client.post(
                "/open_api/v1.3/tto/tcm/campaign/create/",
                headers={"Access-Token": creds["access_token"]},
                json={
                    "tto_tcm_account_id": creds["tto_tcm_account_id"],
                    "campaign_name": "Loop",
                    "handle_names": ["alice"],
                },
            )
            link = created.json()["data"]["invite_link"]
            assert link.startswith(base + "/t/")
            published = client.post(
                "/sandbox/publish",
                json={"handle": "alice", "invite_link": link, "caption": "Café ☕ #ad"},
            )
            assert published.status_code == 201
            assert sandbox.flush_webhooks(10)
    finally:
        sandbox.close()
    assert len(received) == 2
    for body, signature in received:
        assert body.isascii()
        expected = hmac.new(creds["secret"].encode(), body, hashlib.sha256).hexdigest()
        assert signature == expected


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_module_entry_point_serves_and_stops_on_sigterm():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SRC, "SANDBOX_QPS": "7"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tiktok_sandbox", "--port", str(port), "--db", ":temp:"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        faults = None
        for _ in range(100):
            try:
                faults = httpx.get(f"http://127.0.0.1:{port}/sandbox/faults", timeout=1).json()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert faults and faults["qps"] == 7
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert f"TikTok sandbox on http://127.0.0.1:{port}/" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
