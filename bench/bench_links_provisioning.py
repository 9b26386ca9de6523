"""Invite-link provisioning against the sandbox at TikTok's Basic tier (10 QPS / 600 QPM).

1. 1,000 creators × 1 link, 200 ms latency per call: wall time against the ideal
   (calls ÷ 10 QPS); target ≤ 1.15 × ideal with zero 40100 answers.
2. The same with 20 % injected errors (and timeouts after the work was done): every link
   is created exactly once — the sandbox's own object count proves it.

    python bench/bench_links_provisioning.py [--creators 1000]
"""

import argparse
import time
from collections import Counter
from datetime import date

from support import connect_demo_workspace, report, setup_django, start_sandbox

QPS, QPM = 10, 600


def make_campaign(workspace, name: str, creators: int):
    from inviteflow.campaigns import services as campaigns
    from inviteflow.creators.models import Creator

    campaign = campaigns.create_campaign(
        workspace,
        name=name,
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
    )
    rows = [
        Creator(workspace=workspace, name=f"C{i}", handle=f"{name.lower()}_{i}")
        for i in range(creators)
    ]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(rows))
    campaigns.update_campaign(campaign, tiktok_enabled=True)
    return campaign


def provision(campaign) -> float:
    """Run the provisioning task until no link is pending, as the worker would: again soon
    while outcomes are unknown, and after the cool-down if TikTok throttled us."""
    from django.utils import timezone

    from inviteflow.links.models import InviteLink, Provisioning
    from inviteflow.links.tasks import provision_links

    start = time.perf_counter()
    for _ in range(20):
        provision_links.call(campaign.pk)
        if not InviteLink.objects.filter(campaign=campaign, status="pending").exists():
            break
        state = Provisioning.objects.filter(campaign=campaign).first()
        if state and state.waiting_until and state.waiting_until > timezone.now():
            time.sleep((state.waiting_until - timezone.now()).total_seconds() + 1)
    return time.perf_counter() - start


def sandbox_stats(http) -> dict:
    return http.get("/sandbox/stats").json()


def calls_to(stats: dict, path: str) -> int:
    return sum(
        counts["total"]
        for endpoint, counts in stats["by_endpoint"].items()
        if endpoint.endswith(path)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creators", type=int, default=1000)
    args = parser.parse_args()
    var = setup_django()
    from django.conf import settings

    from inviteflow.outbound import http_client

    url, app, server = start_sandbox(var, qps=QPS, qpm=QPM, latency_ms=200, timeout_sleep_s=3)
    settings.TIKTOK_QPS, settings.TIKTOK_QPM, settings.TIKTOK_TIMEOUT_S = QPS, QPM, 2.0
    workspace = connect_demo_workspace()
    control = http_client(base_url=url, timeout=30)
    control.delete("/sandbox/stats")

    clean = make_campaign(workspace, "Clean", args.creators)
    elapsed = provision(clean)
    stats = sandbox_stats(control)
    calls = stats["total_calls"]
    ideal = calls / QPS
    report(
        "1. Provisioning at 10 QPS with 200 ms latency",
        [
            ("links created", clean.invite_links.filter(status="active").count()),
            ("TikTok calls", calls),
            ("40100 answers", stats["throttled"]),
            ("wall time", f"{elapsed:.1f} s"),
            ("ideal (calls ÷ 10 QPS)", f"{ideal:.1f} s"),
            ("ratio (target ≤ 1.15)", f"{elapsed / ideal:.3f}"),
            ("effective QPS", f"{calls / elapsed:.2f}"),
        ],
    )

    control.put("/sandbox/faults", json={"error_rate": 0.2, "timeout_rate": 0.05})
    control.delete("/sandbox/stats")
    before = stats["campaign_objects_created"]
    faulty = make_campaign(workspace, "Faulty", args.creators)
    elapsed = provision(faulty)
    control.put("/sandbox/faults", json={"error_rate": 0, "timeout_rate": 0})
    stats = sandbox_stats(control)
    objects = [
        c
        for c in control.get("/sandbox/campaigns").json()["campaigns"]
        if c["campaign_name"].startswith("Faulty")
    ]
    per_handle = Counter(c["creators"][0]["handle"] for c in objects)
    report(
        "2. Provisioning with 20 % injected errors and 5 % timeouts-after-work",
        [
            ("links active", faulty.invite_links.filter(status="active").count()),
            ("TikTok objects created", stats["campaign_objects_created"] - before),
            ("creators with exactly one object", sum(1 for n in per_handle.values() if n == 1)),
            ("creators with duplicates", sum(1 for n in per_handle.values() if n > 1)),
            ("create calls", calls_to(stats, "/tto/tcm/campaign/create/")),
            ("campaign-list calls (reconciliation)", calls_to(stats, "/tto/tcm/campaign/")),
            ("answers by code", stats["by_code"]),
            ("40100 answers", stats["throttled"]),
            ("wall time", f"{elapsed:.1f} s"),
            ("calls ÷ 10 QPS", f"{stats['total_calls'] / QPS:.1f} s"),
        ],
    )
    server.shutdown()


if __name__ == "__main__":
    main()
