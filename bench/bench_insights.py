"""Insights at scale: 2,000 invite links × 10 posts = 20,000 posts, on PostgreSQL.

1. One full insights sync against the sandbox at TikTok's Basic tier (10 QPS / 600 QPM):
   report calls against the minimum (one per TikTok campaign object, region and page), 40100
   answers, and wall time against the rate-limit ideal (calls ÷ 10 QPS); target ≤ 1.15.
2. The campaign report page: median server time (target < 500 ms) and query count at two
   sizes (a tenth of the links, then all of them): the count must not grow.

Seeding. Publishing 20,000 posts through the sandbox's control API (and attributing them
through webhooks) would take longer than the benchmark itself, so both sides are seeded in
bulk with matching ids: the sandbox's own store gets one campaign object per invite link
(the row its `/tto/tcm/campaign/create/` writes) and 10 linked videos each (the rows its
publish path writes), then its clock moves past the 48 h reporting delay; inviteflow gets the
campaign, creators, invite links and posts by bulk_create. The small campaign is synced at a
high rate first (its figures are real). The measured sync goes through the real client, the
shared limiter and HTTP to the sandbox running in its own process (TikTok is another machine,
not threads sharing our interpreter). Views over time get 84 earlier points (21 days × 4
syncs) so the page draws a realistic line.

    python bench/bench_insights.py [--links 2000] [--posts-per-link 10] [--latency-ms 20]
                                   [--postgres postgres://postgres@127.0.0.1:5432/NAME]

The database NAME (default inviteflow_bench_insights) is created, used and dropped.
"""

import argparse
import logging
import math
import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from support import ROOT, median_ms, report, setup_django

QPS, QPM = 10, 600
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/inviteflow_bench_insights"
DEMO_ACCOUNT = "7100000000000000001"


# -- The database -----------------------------------------------------------------------------


def _admin_conn(url: str):
    import psycopg

    base = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://")
    return psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3)


def create_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_conn(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    with _admin_conn(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


# -- Seeding ----------------------------------------------------------------------------------


def seed_sandbox(store, prefix: str, links: int, posts_per_link: int) -> list[tuple]:
    """Campaign objects and linked videos straight into the sandbox's store.

    Returns (object id, invite link, [video ids]) per link.
    """
    from tiktok_sandbox.ids import new_id, new_invite_token

    now = int(time.time() * 1000)  # sandbox time: the wall clock until it is advanced
    seeded = []
    with store.transaction():
        for i in range(links):
            handle, token = f"{prefix}_{i}", new_invite_token()
            campaign_id = new_id(now)
            store.insert_campaign(_campaign_row(campaign_id, token, f"{prefix} link {i}", now))
            store.save_campaign_creator(campaign_id, handle, now, invited=True)
            videos = []
            for j in range(posts_per_link):
                created = now + i * posts_per_link + j  # distinct ms per creator post
                video_id = new_id(created)
                store.insert_video(_video_row(video_id, handle, campaign_id, created))
                videos.append(video_id)
            seeded.append((campaign_id, f"https://sandbox.bench/t/{token}/", videos))
    return seeded


def start_sandbox_process(db_path: Path, latency_ms: int):
    """The sandbox in its own process, as TikTok is another machine: our sync then competes
    with nothing but itself for this machine's CPU."""
    from django.conf import settings

    from inviteflow.outbound import http_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SANDBOX_QPS": "1000",
        "SANDBOX_QPM": "100000",
        "SANDBOX_LATENCY_MS": str(latency_ms),
        "PYTHONPATH": str(ROOT / "src"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tiktok_sandbox", "--port", str(port), "--db", str(db_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    control = http_client(base_url=url, timeout=60)
    _wait_until_up(control)
    credentials = control.get("/sandbox/credentials").json()
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_APP_ID = credentials["app_id"]
    settings.TIKTOK_APP_SECRET = credentials["secret"]
    return process, control


def _wait_until_up(control) -> None:
    for _ in range(100):
        try:
            control.get("/sandbox/clock").raise_for_status()
            return
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


def _campaign_row(campaign_id: str, token: str, name: str, now: int) -> dict:
    return {
        "campaign_id": campaign_id,
        "account_id": DEMO_ACCOUNT,
        "campaign_type": "CAMPAIGN",
        "channel_type": "API_LITE_CAMPAIGN",
        "campaign_name": name,
        "campaign_description": None,
        "brand_name": None,
        "brand_profile_id": None,
        "anchor_id": None,
        "advertiser_ids": [],
        "auth_days": 30,
        "business_account_handle": None,
        "send_notification": 0,
        "country_codes": ["US"],
        "invite_token": token,
        "invite_link": f"https://sandbox.bench/t/{token}/",
        "posts_per_creator": 10,
        "campaign_code": None,
        "create_ms": now,
        "update_ms": now,
    }


def _video_row(video_id: str, handle: str, campaign_id: str, created: int) -> dict:
    return {
        "video_id": video_id,
        "handle": handle,
        "caption": "#springlaunch",
        "hashtags": ["springlaunch"],
        "mentions": [],
        "branded": 0,
        "create_ms": created,
        "campaign_id": campaign_id,
        "linked_via": "invite_link",
        "linked_ms": created,
        "takedown_ms": None,
    }


def seed_inviteflow(workspace, name: str, prefix: str, seeded: list):
    """The campaign, its creators, one invite link each and their posts, in bulk."""
    from django.utils import timezone

    from inviteflow.campaigns.models import Campaign, CampaignCreator
    from inviteflow.creators.models import Creator
    from inviteflow.links.models import InviteLink
    from inviteflow.posts.models import Post

    campaign = Campaign.objects.create(
        workspace=workspace,
        name=name,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 31),
        posts_required=10,
        countries=["US"],
        tiktok_enabled=True,
        status="active",
    )
    creators = Creator.objects.bulk_create(
        [
            Creator(workspace=workspace, name=f"Creator {i:05}", handle=f"{prefix}_{i}")
            for i in range(len(seeded))
        ],
        batch_size=2000,
    )
    CampaignCreator.objects.bulk_create(
        [CampaignCreator(campaign=campaign, creator=c) for c in creators], batch_size=2000
    )
    links = InviteLink.objects.bulk_create(
        [
            InviteLink(
                workspace=workspace,
                campaign=campaign,
                creator=c,
                sequence=1,
                status="exhausted",
                tiktok_campaign_id=obj,
                url=url,
                posts_used=len(videos),
            )
            for c, (obj, url, videos) in zip(creators, seeded, strict=True)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                campaign=campaign,
                creator=link.creator,
                invite_link=link,
                tiktok_campaign_id=link.tiktok_campaign_id,
                video_id=video_id,
                linked_via="invite_link",
                review_state="published",
                found_by="reconciliation",
                published_at=now,
                counts=True,
                branded_content_toggle=True,
            )
            for link, (_, _, videos) in zip(links, seeded, strict=True)
            for video_id in videos
        ],
        batch_size=2000,
    )
    return campaign


def earlier_points(campaign, days: int = 21, per_day: int = 4) -> None:
    """Views over time: the latest totals, scaled back over the tracking window."""
    from django.utils import timezone

    from inviteflow.insights.models import CampaignSnapshot

    last = CampaignSnapshot.objects.filter(campaign=campaign).latest("taken_at")
    steps = days * per_day
    CampaignSnapshot.objects.bulk_create(
        [
            CampaignSnapshot(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                country_code="US",
                taken_at=timezone.now() - timedelta(hours=6 * (steps - i)),
                posts=last.posts,
                video_views=int(last.video_views * (1 - math.exp(-(i + 1) / 20))),
                reach=int(last.reach * (1 - math.exp(-(i + 1) / 20))),
                engagement_count=int(last.engagement_count * (1 - math.exp(-(i + 1) / 20))),
            )
            for i in range(steps)
        ]
    )


# -- Measuring --------------------------------------------------------------------------------


def set_rate(control, qps: int, qpm: int) -> None:
    """TikTok's limit on the sandbox, and the same budget for our shared limiter."""
    from django.conf import settings

    control.put("/sandbox/faults", json={"qps": qps, "qpm": qpm}).raise_for_status()
    settings.TIKTOK_QPS, settings.TIKTOK_QPM = qps, qpm


def report_calls(stats: dict) -> int:
    return sum(
        found["total"]
        for path, found in stats["by_endpoint"].items()
        if path.endswith("/tto/tcm/report/")
    )


def timed_sync(campaign) -> tuple[float, dict]:
    from inviteflow.insights.tasks import sync_campaign_insights

    start, cpu = time.perf_counter(), time.process_time()
    result = sync_campaign_insights.call(campaign.pk)
    result["cpu_s"] = time.process_time() - cpu
    return time.perf_counter() - start, result


def page_figures(user, campaign, label: str) -> list[tuple[str, object]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    url = f"/w/{campaign.workspace.slug}/insights/campaigns/{campaign.pk}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [
        (f"{label}: queries", len(queries)),
        (f"{label}: median", f"{median_ms(lambda: client.get(url)):.1f} ms"),
    ]


def run(args: argparse.Namespace) -> None:
    var = setup_django(args.postgres)
    for noisy in ("werkzeug", "httpx", "inviteflow"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import connection
    from tests.sandbox_fixtures import ACCESS_TOKEN

    from inviteflow.accounts.models import Role, User
    from inviteflow.accounts.services import create_workspace, set_member
    from inviteflow.insights.sync import page_size
    from inviteflow.tiktok.connections import connect_with_token
    from tiktok_sandbox.store import Store

    store = Store(str(var / "sandbox.sqlite3"))
    small_links = max(1, args.links // 10)
    seeded = {
        "small": seed_sandbox(store, "s", small_links, args.posts_per_link),
        "big": seed_sandbox(store, "b", args.links, args.posts_per_link),
    }
    store.close()
    sandbox, control = start_sandbox_process(var / "sandbox.sqlite3", args.latency_ms)
    try:
        settings.TIKTOK_QPS, settings.TIKTOK_QPM = 1000, 100_000
        settings.INSIGHTS_SYNC_CONCURRENCY = args.concurrency
        control.post("/sandbox/clock", json={"advance_hours": 49}).raise_for_status()
        workspace = create_workspace("bench", "Bench")
        user = User.objects.create_user(email="bench@bench.test", password="x" * 12)
        set_member(workspace, user, Role.OWNER)
        connect_with_token(workspace, DEMO_ACCOUNT, ACCESS_TOKEN)
        small = seed_inviteflow(workspace, "Small launch", "s", seeded["small"])
        big = seed_inviteflow(workspace, "Spring launch", "b", seeded["big"])

        timed_sync(small)  # fast, to give the small report real figures
        set_rate(control, QPS, QPM)
        control.delete("/sandbox/stats")
        elapsed, result = timed_sync(big)
        stats = control.get("/sandbox/stats").json()
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    calls = report_calls(stats)
    minimum = args.links * math.ceil(args.posts_per_link / page_size())
    ideal = calls / QPS
    report(
        f"1. One insights sync: {args.links} links × {args.posts_per_link} posts at "
        f"{QPS} QPS / {QPM} QPM, {args.latency_ms} ms latency, "
        f"{args.concurrency} concurrent reads",
        [
            ("posts updated", result["posts_updated"]),
            ("report calls", calls),
            ("minimum (objects × regions × pages)", minimum),
            ("other TikTok calls", stats["total_calls"] - calls),
            ("40100 answers", stats["throttled"]),
            ("errors", result["error"] or "none"),
            ("wall time", f"{elapsed:.1f} s"),
            ("CPU time of this process", f"{result['cpu_s']:.1f} s"),
            ("ideal (calls ÷ 10 QPS)", f"{ideal:.1f} s"),
            ("ratio (target ≤ 1.15)", f"{elapsed / ideal:.3f}"),
            ("effective QPS", f"{calls / elapsed:.2f}"),
        ],
    )

    for campaign in (small, big):
        earlier_points(campaign)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = page_figures(user, small, f"{small.posts.count():>6} posts")
    rows += page_figures(user, big, f"{big.posts.count():>6} posts")
    report(
        f"2. Campaign report page on {connection.vendor} (target < 500 ms, constant queries)", rows
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--posts-per-link", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--concurrency", type=int, default=4, help="INSIGHTS_SYNC_CONCURRENCY")
    args = parser.parse_args()
    create_database(args.postgres)
    try:
        run(args)
    finally:
        drop_database(args.postgres)


if __name__ == "__main__":
    main()
