"""TikTok webhook intake: 10,000 signed TCM_VIDEOS events (10 % duplicates) POSTed on loopback
to the real receiver served by gunicorn, against the same server answering a trivial endpoint
(/healthz). Nothing may be lost: every distinct event is stored exactly once.

    python bench/bench_webhooks.py [--events 10000] [--clients 8]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from support import ROOT, report, setup_django

SECRET = "bench-webhook-secret"
PORT = 8765


def event_body(i: int) -> bytes:
    entry = {
        "event_type": "tto_campaign_webhook",
        "tto_campaign_event_type": "tto_video_published",
        "video_id": str(7_300_000_000_000_000_000 + i),
        "campaign_id": "7200000000000000001",
        "tto_tcm_account_id": "7100000000000000001",
        "handle_name": f"creator_{i % 500}",
        "event_time": "2027-05-02T10:00:00.000000Z",
        "log_id": f"log{i}",
    }
    envelope = {"request_id": f"req{i}", "object": 10, "time": 1809331200, "entry": [entry]}
    return json.dumps(envelope, separators=(",", ":")).encode()


def start_server(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "inviteflow.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    from inviteflow.outbound import http_client

    with http_client(base_url=f"http://127.0.0.1:{PORT}", timeout=2) as http:
        for _ in range(100):
            try:
                if http.get("/healthz").status_code == 200:
                    return server
            except Exception:
                time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def fire(requests: list, clients: int) -> tuple[float, list[int]]:
    from inviteflow.outbound import http_client

    def send(chunk):
        with http_client(base_url=f"http://127.0.0.1:{PORT}", timeout=30) as http:
            return [
                http.request(method, path, content=body, headers=headers).status_code
                for method, path, body, headers in chunk
            ]

    chunks = [requests[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = [s for result in pool.map(send, chunks) for s in result]
    return time.perf_counter() - start, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    var = setup_django()
    from django.conf import settings

    from inviteflow.accounts.services import create_workspace
    from inviteflow.posts.models import WebhookEndpoint, WebhookEvent
    from inviteflow.posts.webhooks import sign

    workspace = create_workspace("bench", "Bench")
    endpoint = WebhookEndpoint.objects.create(workspace=workspace)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "INVITEFLOW_VAR_DIR": str(var),
        "TIKTOK_APP_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    server = start_server(env)

    unique = int(args.events * 0.9)
    bodies = [event_body(i) for i in range(unique)]
    bodies += random.Random(1).choices(bodies, k=args.events - unique)  # 10 % duplicates
    path = f"/webhooks/tiktok/{endpoint.token}/"
    posts = [
        ("POST", path, b, {"X-Open-Signature": sign(SECRET, b), "Content-Type": "application/json"})
        for b in bodies
    ]
    trivial = [("GET", "/healthz", None, {}) for _ in bodies]
    try:
        webhook_s, webhook_statuses = fire(posts, args.clients)
        trivial_s, trivial_statuses = fire(trivial, args.clients)
    finally:
        server.terminate()
        server.wait(10)
    stored = WebhookEvent.objects.filter(workspace=workspace).count()
    report(
        f"Webhook intake on loopback: {args.events} events, {args.clients} clients, "
        "gunicorn 2 workers × 4 threads, SQLite",
        [
            ("webhook events/s", f"{args.events / webhook_s:.0f}"),
            ("trivial endpoint (/healthz) requests/s", f"{args.events / trivial_s:.0f}"),
            ("ratio webhook / trivial", f"{trivial_s / webhook_s:.2f}"),
            (
                "answers other than 200",
                sum(1 for s in webhook_statuses if s != 200)
                + sum(1 for s in trivial_statuses if s != 200),
            ),
            ("distinct events sent", unique),
            ("events stored (target = distinct, nothing lost)", stored),
        ],
    )


if __name__ == "__main__":
    main()
