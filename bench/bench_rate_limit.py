"""The installation-wide TikTok rate limiter under load from several processes.

1. 4 worker processes (two workspaces) call the sandbox (10 QPS / 600 QPM) for 60 s through
   the shared limiter: target zero 40100 answers and ≥ 9 QPS together; the split between
   workspaces shows fairness.
2. A throttle answer injected mid-run starts the shared cool-down: no process may call TikTok
   until it ends (the sandbox counts what arrives).

    python bench/bench_rate_limit.py [--seconds 60] [--processes 4] [--redis]
"""

import argparse
import multiprocessing
import os
import time

from support import connect_demo_workspace, report, setup_django, start_sandbox

QPS, QPM, COOLDOWN_S = 10, 600, 15


def caller(env: dict, workspace_key: str, until: float, results) -> None:
    """One worker process: call TikTok as fast as the shared limiter lets it."""
    os.environ.update(env)
    import django

    django.setup()
    from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

    from inviteflow.tiktok import errors
    from inviteflow.tiktok.client import TikTokClient

    counts = {"ok": 0, "throttled": 0, "other": 0, "calls_at": []}
    with TikTokClient.from_settings(
        ACCESS_TOKEN, workspace_key=workspace_key, limiter_timeout=COOLDOWN_S + 30
    ) as client:
        while time.time() < until:
            try:
                client.account_info(ACCOUNT_ID)
                counts["ok"] += 1
            except errors.Throttled as exc:
                counts[
                    "throttled" if not isinstance(exc, errors.RateLimitTimeout) else "other"
                ] += 1
            except errors.TikTokError:
                counts["other"] += 1
            counts["calls_at"].append(time.time())
    results.put((workspace_key, counts))


def run_callers(env: dict, processes: int, seconds: float, during=None) -> list:
    ctx = multiprocessing.get_context("spawn")
    results, until = ctx.Queue(), time.time() + seconds
    procs = [
        ctx.Process(target=caller, args=(env, f"workspace-{i % 2}", until, results))
        for i in range(processes)
    ]
    for proc in procs:
        proc.start()
    if during:
        during()
    collected = [results.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join(30)
    return collected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--redis", action="store_true", help="the Redis limiter backend")
    args = parser.parse_args()
    var = setup_django()
    from django.conf import settings

    from inviteflow.outbound import http_client

    url, app, server = start_sandbox(var, qps=QPS, qpm=QPM, throttle_cooldown_s=COOLDOWN_S)
    connect_demo_workspace()
    env = {
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "INVITEFLOW_VAR_DIR": str(var),
        "TIKTOK_API_BASE_URL": url,
        "TIKTOK_APP_ID": settings.TIKTOK_APP_ID,
        "TIKTOK_APP_SECRET": settings.TIKTOK_APP_SECRET,
        "TIKTOK_QPS": str(QPS),
        "TIKTOK_QPM": str(QPM),
        "TIKTOK_THROTTLE_COOLDOWN_S": str(COOLDOWN_S),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "redis://127.0.0.1:6379/15" if args.redis else "",
    }
    if args.redis:
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    control = http_client(base_url=url, timeout=30)

    control.delete("/sandbox/stats")
    start = time.time()
    results = run_callers(env, args.processes, args.seconds)
    elapsed = time.time() - start
    stats = control.get("/sandbox/stats").json()
    by_workspace = {}
    for key, counts in results:
        by_workspace[key] = by_workspace.get(key, 0) + counts["ok"]
    calls = stats["total_calls"]
    # Steady state: from when the last process started calling to when the first one stopped.
    begin = max(counts["calls_at"][0] for _, counts in results)
    end = min(counts["calls_at"][-1] for _, counts in results)
    steady = [t for _, c in results for t in c["calls_at"] if begin <= t <= end]
    report(
        f"1. {args.processes} processes for {args.seconds:.0f} s, "
        f"{'Redis' if args.redis else 'database'} limiter (10 QPS / 600 QPM)",
        [
            ("calls TikTok received", calls),
            ("40100 answers", stats["throttled"]),
            (
                "sustained QPS, all processes running (target ≥ 9)",
                f"{(len(steady) - 1) / (end - begin):.2f} over {end - begin:.0f} s",
            ),
            ("calls per workspace", by_workspace),
            ("wall time incl. process start", f"{elapsed:.1f} s"),
        ],
    )

    control.delete("/sandbox/stats")
    marks = {}

    def inject_throttle() -> None:
        time.sleep(10)
        control.post("/sandbox/throttle", json={"cooldown_s": COOLDOWN_S})
        marks["injected"] = time.time()

    results = run_callers(env, args.processes, 10 + COOLDOWN_S + 10, during=inject_throttle)
    calls_at = sorted(t for _, counts in results for t in counts["calls_at"])
    after = [t for t in calls_at if t > marks["injected"]]
    first_throttled = after[0] if after else marks["injected"]
    inside = [t for t in after if first_throttled < t < first_throttled + COOLDOWN_S - 0.5]
    resumed = [t for t in after if t >= first_throttled + COOLDOWN_S - 0.5]
    report(
        f"2. A throttle injected mid-run ({COOLDOWN_S} s cool-down)",
        [
            ("throttle answers seen by our processes", sum(c["throttled"] for _, c in results)),
            ("calls finished inside the cool-down (target 0)", len(inside)),
            ("calls after the cool-down", len(resumed)),
            (
                "first call after the cool-down began",
                f"{(resumed[0] - first_throttled):.1f} s" if resumed else "none",
            ),
        ],
    )
    server.shutdown()


if __name__ == "__main__":
    main()
