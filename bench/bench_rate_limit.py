"""The installation-wide TikTok rate limiter under load from several processes.

1. 4 worker processes (two workspaces) call the sandbox (10 QPS / 600 QPM) for 60 s through
   the shared limiter: target zero 40100 answers and ≥ 9 QPS together; the split between
   workspaces shows fairness.
2. A throttle injected mid-run (the sandbox refuses everything for COOLDOWN_S): the first
   40100 pauses every process for PAUSE_S, the next one (TikTok still refusing) starts the full
   cool-down; no process may call TikTok inside either (the sandbox counts what arrives).
3. A busy machine: scenario 1 while 2 processes burn CPU (on a 2-core machine the sandbox, our
   workers and the limiter's database then wait for a core). Target: zero 40100, ≥ 9 QPS.
4. Late arrivals: scenario 1 through a loopback proxy that holds 10 % of the requests 100-300 ms
   before TikTok (the sandbox) sees them, as a starved server, a new connection or a network
   retransmit does. Zero 40100 only if the limiter counts calls until their answers.

Every scenario stops by itself and talks to 127.0.0.1 only (sandbox, proxy, Redis db 15, and
the PostgreSQL database given, which the bench empties: give it one of its own).

    python bench/bench_rate_limit.py [--seconds 60] [--processes 4] [--only 1,3]
                                     [--redis | --database-url postgresql://127.0.0.1/…]
"""

import argparse
import logging
import multiprocessing
import os
import random
import socket
import threading
import time

from support import connect_demo_workspace, report, setup_django, start_sandbox

QPS, QPM, PAUSE_S, COOLDOWN_S = 10, 600, 5, 15
BURNERS = 2
LATE_SHARE, LATE_S = 0.1, (0.1, 0.3)


def caller(env: dict, workspace_key: str, until: float, results) -> None:
    """One worker process: call TikTok as fast as the shared limiter lets it; each answer is
    recorded as (when, "ok" | "throttled" | "limiter" | "other")."""
    os.environ.update(env)
    import django

    django.setup()
    from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

    from inviteflow.tiktok import errors
    from inviteflow.tiktok.client import TikTokClient

    answers = []
    with TikTokClient.from_settings(
        ACCESS_TOKEN, workspace_key=workspace_key, limiter_timeout=COOLDOWN_S + 30
    ) as client:
        while time.time() < until:
            try:
                client.account_info(ACCOUNT_ID)
                outcome = "ok"
            except errors.RateLimitTimeout:
                outcome = "limiter"
            except errors.Throttled:
                outcome = "throttled"
            except errors.TikTokError:
                outcome = "other"
            answers.append((time.time(), outcome))
    results.put((workspace_key, answers))


def burn_cpu(until: float) -> None:
    while time.time() < until:
        pass


def run_callers(env: dict, processes: int, seconds: float, during=None, burners: int = 0):
    ctx = multiprocessing.get_context("spawn")
    results, until = ctx.Queue(), time.time() + seconds
    procs = [ctx.Process(target=burn_cpu, args=(until,)) for _ in range(burners)]
    procs += [
        ctx.Process(target=caller, args=(env, f"workspace-{i % 2}", until, results))
        for i in range(processes)
    ]
    for proc in procs:
        proc.start()
    if during:
        during()
    collected = [results.get(timeout=seconds + 120) for _ in range(processes)]
    for proc in procs:
        proc.join(30)
        if proc.is_alive():
            proc.terminate()
    return collected


def sustained_qps(results) -> tuple[float, float]:
    """Calls answered (not throttled) per second from when the last process started calling to
    when the first one stopped (process start-up left out); and that span."""
    begin = max(answers[0][0] for _, answers in results)
    end = min(answers[-1][0] for _, answers in results)
    steady = [
        t
        for _, answers in results
        for t, outcome in answers
        if begin <= t <= end and outcome == "ok"
    ]
    return (len(steady) - 1) / (end - begin), end - begin


def load_run(
    control, env: dict, args, title: str, burners: int = 0, qps_note: str = "target ≥ 9"
) -> None:
    """Scenarios 1, 3 and 4: callers as fast as the limiter lets them; what TikTok saw."""
    control.delete("/sandbox/stats")
    start = time.time()
    results = run_callers(env, args.processes, args.seconds, burners=burners)
    elapsed = time.time() - start
    stats = control.get("/sandbox/stats").json()
    by_workspace: dict[str, int] = {}
    for key, answers in results:
        by_workspace[key] = by_workspace.get(key, 0) + sum(o == "ok" for _, o in answers)
    qps, span = sustained_qps(results)
    report(
        title,
        [
            ("calls TikTok received", stats["total_calls"]),
            ("40100 answers (target 0)", stats["throttled"]),
            (f"sustained QPS, all processes running ({qps_note})", f"{qps:.2f} over {span:.0f} s"),
            ("calls per workspace", by_workspace),
            ("wall time incl. process start", f"{elapsed:.1f} s"),
        ],
    )


def injected_throttle(control, env: dict, args) -> None:
    """Scenario 2: the sandbox refuses every call for COOLDOWN_S from 10 s on."""
    control.delete("/sandbox/stats")
    marks = {}

    def inject() -> None:
        time.sleep(10)
        marks["injected"] = time.time()
        control.post("/sandbox/throttle", json={"cooldown_s": COOLDOWN_S})

    results = run_callers(env, args.processes, 10 + PAUSE_S + COOLDOWN_S + 10, during=inject)
    answers = sorted(a for _, answers in results for a in answers if a[0] > marks["injected"])
    throttled = [t for t, outcome in answers if outcome == "throttled"]
    first = throttled[0] if throttled else marks["injected"]
    second = next((t for t in throttled if t > first + PAUSE_S - 0.1), first)
    # A call already in the air when a stop began may still be answered just after it.
    stops = [(first + 0.5, first + PAUSE_S - 0.1), (second + 0.5, second + COOLDOWN_S - 0.1)]
    inside = [t for t, _ in answers if any(lo < t < hi for lo, hi in stops)]
    resumed = [t for t, outcome in answers if t > second + 0.5 and outcome == "ok"]
    report(
        f"2. A throttle injected mid-run (pause {PAUSE_S} s, then cool-down {COOLDOWN_S} s)",
        [
            ("throttle answers seen (2, and any call already in the air)", len(throttled)),
            ("calls answered inside the pause or cool-down (target 0)", len(inside)),
            ("second throttle answer after the first", f"{second - first:.1f} s"),
            (
                "first call after the second throttle answer",
                f"{resumed[0] - second:.1f} s" if resumed else "none",
            ),
        ],
    )


class LateProxy:
    """A loopback TCP proxy that holds a share of the requests before passing them on."""

    def __init__(self, target_port: int, share: float, delay: tuple[float, float]) -> None:
        self.target_port, self.share, self.delay = target_port, share, delay
        self._rng = random.Random(13)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, hold: bool) -> None:
        try:
            while data := source.recv(65536):
                if hold and self._rng.random() < self.share:
                    time.sleep(self._rng.uniform(*self.delay))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--redis", action="store_true", help="the Redis limiter backend")
    parser.add_argument("--only", default="1,2,3,4", help="scenarios to run, e.g. 3 or 1,3")
    parser.add_argument("--database-url", help="a database of the bench's own (it is flushed)")
    args = parser.parse_args()
    only = {int(n) for n in args.only.split(",")}
    var = setup_django(args.database_url)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection

    from inviteflow.outbound import http_client

    url, app, server = start_sandbox(var, qps=QPS, qpm=QPM, throttle_cooldown_s=COOLDOWN_S)
    connect_demo_workspace()
    env = {
        "DATABASE_URL": args.database_url or f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "INVITEFLOW_VAR_DIR": str(var),
        "TIKTOK_API_BASE_URL": url,
        "TIKTOK_APP_ID": settings.TIKTOK_APP_ID,
        "TIKTOK_APP_SECRET": settings.TIKTOK_APP_SECRET,
        "TIKTOK_QPS": str(QPS),
        "TIKTOK_QPM": str(QPM),
        "TIKTOK_THROTTLE_PAUSE_S": str(PAUSE_S),
        "TIKTOK_THROTTLE_COOLDOWN_S": str(COOLDOWN_S),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "redis://127.0.0.1:6379/15" if args.redis else "",
    }
    backend = "Redis" if args.redis else f"database ({connection.vendor})"
    control = http_client(base_url=url, timeout=30)

    def fresh_limiter() -> None:
        """Each scenario starts from idle limiters, ours and TikTok's: not with the minute the
        previous one used, nor the slower pace a throttle answer left."""
        if args.redis:
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        else:
            from inviteflow.tiktok.models import LimiterCall, LimiterState, LimiterTicket

            for model in (LimiterCall, LimiterState, LimiterTicket):
                model.objects.all().delete()
        app.runtime.limiter.reset()

    n = args.processes
    if 1 in only:
        fresh_limiter()
        title = f"1. {n} processes for {args.seconds:.0f} s, {backend} limiter (10 QPS / 600 QPM)"
        load_run(control, env, args, title)
    if 2 in only:
        fresh_limiter()
        injected_throttle(control, env, args)
    if 3 in only:
        fresh_limiter()
        title = f"3. As 1, while {BURNERS} processes burn CPU ({os.cpu_count()} cores)"
        load_run(control, env, args, title, burners=BURNERS)
    if 4 in only:
        fresh_limiter()
        proxy = LateProxy(server.port, LATE_SHARE, LATE_S)
        late_env = {**env, "TIKTOK_API_BASE_URL": f"http://127.0.0.1:{proxy.port}"}
        title = (
            f"4. As 1, {LATE_SHARE:.0%} of the requests reaching TikTok "
            f"{LATE_S[0] * 1000:.0f}-{LATE_S[1] * 1000:.0f} ms after they were sent"
        )
        load_run(control, late_env, args, title, qps_note="late calls hold their places longer")
    server.shutdown()


if __name__ == "__main__":
    main()
