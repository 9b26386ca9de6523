"""Outgoing webhooks: 10,000 events fanned out to 3 endpoints on loopback through the real
path — the domain's `emit` (re-read, serialise, write the event and a delivery per endpoint
in the change's transaction), then the workers' delivery (claim, sign, POST through the
outbound chokepoint with its address check, record) — against a bare loop POSTing the same
bodies over one keep-alive connection. The receiver runs in its own process and answers 500
to the first attempt of 1 % of the deliveries; those are retried. Nothing may be lost, and
nothing may arrive twice beyond the retries.

    python bench/bench_outgoing_webhooks.py [--events 10000]
"""

import argparse
import json
import multiprocessing
import socket
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from support import report, setup_django

ENDPOINTS = 3
FAIL_ONE_IN = 100  # deliveries whose first attempt gets a 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, log_path: str, ready) -> None:
    """Logs `path event-id status` per request; a 500 for the first sight of 1 % of them."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: set[tuple[str, str]] = set()
    log = open(log_path, "a", buffering=1)  # noqa: SIM115  lives as long as the process

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive for the bare loop
        disable_nagle_algorithm = True  # answers are not held back waiting for an ACK

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            event_id = json.loads(body)["id"]
            key = (self.path, event_id)
            fail = hash(key) % FAIL_ONE_IN == 0 and key not in seen
            seen.add(key)
            status = 500 if fail else 200
            log.write(f"{self.path} {event_id} {status}\n")
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ready.set()
    server.serve_forever()


def start_receiver(log_path: Path) -> tuple[int, multiprocessing.Process]:
    port, ready = free_port(), multiprocessing.Event()
    process = multiprocessing.Process(target=serve, args=(port, str(log_path), ready), daemon=True)
    process.start()
    ready.wait(10)
    return port, process


def received(log_path: Path, prefix: str) -> list[tuple[str, str, str]]:
    lines = [line.split() for line in log_path.read_text().splitlines()]
    return [(p, e, s) for p, e, s in lines if p.startswith(prefix)]


def make_campaigns(workspace, count: int) -> list:
    from inviteflow.campaigns.models import Campaign

    rows = [
        Campaign(
            workspace=workspace,
            name=f"Campaign {i}",
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 5, 31),
            status=Campaign.Status.COMPLETED,
        )
        for i in range(count)
    ]
    Campaign.objects.bulk_create(rows, batch_size=1000)
    return list(Campaign.objects.filter(workspace=workspace).order_by("pk"))


def real_path(workspace, port: int, campaigns: list) -> tuple[float, float]:
    """(seconds to emit, seconds to deliver everything, retries included)."""
    from django.db import transaction
    from django.utils import timezone

    from inviteflow.core import events
    from inviteflow.integrations import delivery, services

    for n in range(ENDPOINTS):
        services.create_endpoint(
            workspace, f"http://127.0.0.1:{port}/real/{n}", ["campaign.completed"]
        )
    started = time.perf_counter()
    for campaign in campaigns:  # one change, one transaction each, as in the app
        with transaction.atomic():
            events.emit("campaign.completed", campaign)
    emitted = time.perf_counter()
    moment = timezone.now()
    while delivery.send_due(moment):
        pass
    while delivery.send_due(moment + timedelta(minutes=2)):  # the retries, once due
        pass
    return emitted - started, time.perf_counter() - emitted


def bare_loop(port: int) -> float:
    from inviteflow import outbound
    from inviteflow.integrations.models import Delivery

    bodies = list(Delivery.objects.order_by("pk").values_list("event__body", "endpoint__url"))
    started = time.perf_counter()
    with outbound.http_client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for body, url in bodies:
            client.post(url.replace("/real/", "/bare/"), content=body.encode())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from inviteflow.accounts import services as accounts
    from inviteflow.integrations.models import Delivery

    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1"]
    log_path = Path(tempfile.mkdtemp(prefix="webhooks-bench-")) / "received.log"
    port, receiver = start_receiver(log_path)
    workspace = accounts.create_workspace("bench", "Bench")
    campaigns = make_campaigns(workspace, args.events)

    emit_s, deliver_s = real_path(workspace, port, campaigns)
    bare_s = bare_loop(port)
    receiver.terminate()

    real = received(log_path, "/real/")
    sends = args.events * ENDPOINTS
    delivered = Counter((p, e) for p, e, s in real if s == "200")
    failed_first = sum(1 for *_, s in real if s == "500")
    lost = sends - len(delivered)
    duplicated = sum(n - 1 for n in delivered.values())
    total_s = emit_s + deliver_s
    report(
        f"Outgoing webhooks: {args.events:,} events × {ENDPOINTS} endpoints on loopback",
        [
            ("emit (event + 3 deliveries, one transaction each)", f"{emit_s:.1f} s"),
            ("deliver (claim, sign, check, POST, record)", f"{deliver_s:.1f} s"),
            ("events/s, end to end", f"{args.events / total_s:,.0f}"),
            ("deliveries/s, end to end", f"{sends / total_s:,.0f}"),
            ("bare loop (same bodies, one keep-alive connection)", f"{bare_s:.1f} s"),
            ("ratio, real deliveries/s ÷ bare loop's", f"{bare_s / total_s:.2f}"),
            ("first attempts answered 500, retried", failed_first),
            ("requests received", len(real)),
            ("lost", lost),
            ("duplicated beyond retries", duplicated),
            ("deliveries not delivered", Delivery.objects.exclude(status="delivered").count()),
        ],
    )
    if lost or duplicated:
        raise SystemExit("lost or duplicated deliveries")


if __name__ == "__main__":
    main()
