"""Compliance scan: 1,000 roster creators × 50 recent public posts, against the sandbox at
TikTok's Basic tier (10 QPS / 600 QPM), 100 ms latency per call.

1. First scan: each creator is read back to the campaign start, 20 posts a page:
   the minimum is ceil(50 / 20) = 3 list calls per creator.
2. Incremental scan, after 10 % of the creators posted once more: the minimum is one list
   call per creator (its first page holds the post the last scan stopped at).
Each pass also checks the posts at risk for takedowns (one call per creator who has one;
2 % of the creators published a branded post without their link). Reported: list calls
against the minimum, other calls, wall time against the rate-limit ideal (all calls ÷ QPS),
40100 answers, posts found at risk.

Seeding: publishing 50,000 posts through the control API (`POST /sandbox/publish`, one HTTP
request and one SQLite transaction each) takes minutes, so the bench writes the same rows
straight into the sandbox's store, in one transaction: `app.runtime.store.insert_video`,
the row `tiktok_sandbox.linking` writes for an unlinked upload (ids from `ids.new_id`, each
creator's posts one minute apart, newest a minute ago, so the millisecond cursor is exact).

    python bench/bench_compliance_scan.py [--creators 1000] [--videos 50] [--qps 10]
"""

import argparse
import logging
import math
import time
from datetime import timedelta

from support import connect_demo_workspace, report, setup_django, start_sandbox

PAGE = 20
BRANDED_EVERY = 50  # one creator in 50 published a branded post without the link
NEW_POST_EVERY = 10  # one creator in 10 posts again before the second scan


def make_campaign(workspace, creators: int):
    from django.utils import timezone

    from inviteflow.campaigns import services as campaigns
    from inviteflow.creators.models import Creator

    today = timezone.localdate()
    campaign = campaigns.create_campaign(
        workspace,
        name="Spring Launch",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        hashtags=["springlaunch"],
        tiktok_enabled=True,
    )
    rows = [
        Creator(workspace=workspace, name=f"C{i}", handle=f"creator_{i}") for i in range(creators)
    ]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(rows))
    return campaign


def video_row(handle: str, created_ms: int, caption: str) -> dict:
    from tiktok_sandbox.ids import new_id

    tags = [word.lstrip("#") for word in caption.split() if word.startswith("#")]
    return {
        "video_id": new_id(created_ms),
        "handle": handle,
        "caption": caption,
        "hashtags": tags,
        "mentions": [],
        "branded": int("ad" in tags),
        "create_ms": created_ms,
        "campaign_id": None,
        "linked_via": None,
        "linked_ms": None,
        "takedown_ms": created_ms + 72 * 3_600_000 if "ad" in tags else None,
    }


def seed(app, creators: int, videos: int, minute_offset: int = 0, every: int = 1) -> int:
    """`videos` posts for every `every`-th creator, written in one transaction."""
    store, now = app.runtime.store, app.runtime.now_ms()
    written = 0
    with store.transaction():
        for i in range(0, creators, every):
            for n in range(videos):
                branded = minute_offset == 0 and n == 0 and i % BRANDED_EVERY == 0
                caption = "New range #springlaunch #ad" if branded else f"Daily post {n}"
                created = now - (n + 1) * 60_000 + minute_offset * 60_000
                store.insert_video(video_row(f"creator_{i}", created, caption))
                written += 1
    return written


def scan(campaign, control) -> tuple[dict, dict, float]:
    from inviteflow.compliance.tasks import scan_campaign

    control.delete("/sandbox/stats")
    start = time.perf_counter()
    result = scan_campaign.call(campaign.pk)
    elapsed = time.perf_counter() - start
    return result, control.get("/sandbox/stats").json(), elapsed


def rows_for(result: dict, stats: dict, elapsed: float, minimum: int, qps: int) -> list:
    endpoints = stats["by_endpoint"]
    listed = endpoints.get("/tto/tcm/creator/public/video/list/", {}).get("total", 0)
    total = stats["total_calls"]
    ideal = total / qps
    return [
        ("creators scanned", result["creators_scanned"]),
        ("posts read", result["videos_seen"]),
        ("posts found at risk", result["found"]),
        ("list calls made by the scan", result["calls"]),
        ("list calls minimum", minimum),
        ("ratio (target 1.000)", f"{result['calls'] / minimum:.3f}"),
        ("other calls (takedown checks)", total - result["calls"]),
        ("all calls TikTok answered", f"{total} ({listed} list)"),
        ("40100 answers", stats["throttled"]),
        ("wall time", f"{elapsed:.1f} s"),
        (f"ideal (calls ÷ {qps} QPS)", f"{ideal:.1f} s"),
        ("ratio (target ≤ 1.15)", f"{elapsed / ideal:.3f}"),
        ("effective QPS", f"{total / elapsed:.2f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=1000)
    parser.add_argument("--videos", type=int, default=50)
    parser.add_argument("--qps", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per sandbox call
    var = setup_django()
    from django.conf import settings

    from inviteflow.outbound import http_client

    qps, qpm = args.qps, args.qps * 60
    url, app, server = start_sandbox(var, qps=qps, qpm=qpm, latency_ms=args.latency_ms)
    settings.TIKTOK_QPS, settings.TIKTOK_QPM = qps, qpm
    workspace = connect_demo_workspace()
    control = http_client(base_url=url, timeout=30)
    campaign = make_campaign(workspace, args.creators)

    start = time.perf_counter()
    written = seed(app, args.creators, args.videos)
    report(
        "Seeding the sandbox store",
        [("posts written", written), ("time", f"{time.perf_counter() - start:.1f} s")],
    )

    first_minimum = args.creators * math.ceil(args.videos / PAGE)
    report(
        f"1. First scan: {args.creators} creators × {args.videos} posts",
        rows_for(*scan(campaign, control), first_minimum, qps),
    )

    seed(app, args.creators, 1, minute_offset=1, every=NEW_POST_EVERY)
    report(
        f"2. Incremental scan: 1 new post for 1 creator in {NEW_POST_EVERY}",
        rows_for(*scan(campaign, control), args.creators, qps),
    )
    server.shutdown()


if __name__ == "__main__":
    main()
