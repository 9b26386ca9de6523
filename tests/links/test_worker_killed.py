"""A worker killed mid-provisioning, then restarted: every link exists exactly once on TikTok.

Real processes: `inviteflow worker` runs the provisioning task against the sandbox over
HTTP and is SIGKILLed while links are being created.
"""

import time
from collections import Counter
from datetime import date

import pytest

from inviteflow.campaigns import services as campaigns
from inviteflow.core.scheduler import autodiscover, run_due_jobs
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from tests.processes import kill_machine

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.background_work]
CREATORS = 40


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def created_on_tiktok(live_sandbox) -> int:
    return len(live_sandbox.campaigns()["campaigns"])


def test_killed_worker_then_restart_creates_every_link_exactly_once(
    tiktok_connected, live_sandbox, workspace, start_worker
):
    live_sandbox.faults(latency_ms=60)
    campaign = campaigns.create_campaign(
        workspace,
        name="Spring Launch",
        starts_on=date(2027, 5, 1),
        ends_on=date(2027, 5, 31),
        posts_required=12,
    )
    creators = [
        Creator(workspace=workspace, name=f"C {i}", handle=f"creator_{i}") for i in range(CREATORS)
    ]
    campaigns.add_creators(campaign, Creator.objects.bulk_create(creators))
    campaigns.update_campaign(campaign, tiktok_enabled=True)  # enqueues provisioning on commit
    expected = 2 * CREATORS

    worker_env = {"LINK_CLAIM_SECONDS": "8", "LINK_PROVISIONING_CONCURRENCY": "2"}
    worker = start_worker(**worker_env)
    wait_for(lambda: created_on_tiktok(live_sandbox) >= 15, 60, "provisioning to start")
    kill_machine(worker)
    assert created_on_tiktok(live_sandbox) < expected, "killed too late to prove anything"

    time.sleep(8.5)  # the dead worker's claims expire
    autodiscover()
    run_due_jobs()  # the scheduler notices pending links nobody works on
    start_worker(**worker_env)
    wait_for(
        lambda: not InviteLink.objects.filter(status="pending").exists(),
        120,
        "every link to be provisioned",
    )

    objects = live_sandbox.campaigns()["campaigns"]
    assert len(objects) == expected
    per_handle = Counter(c["creators"][0]["handle"] for c in objects)
    assert set(per_handle.values()) == {2}
    links = InviteLink.objects.filter(campaign=campaign)
    assert links.filter(status="active").count() == expected
    assert len(set(links.values_list("tiktok_campaign_id", flat=True))) == expected
