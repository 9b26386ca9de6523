"""Two machines on one host: two independent groups of processes (own working directory and
`var/`, each a web app and two RQ workers, the scheduler in one) share one PostgreSQL and one
Redis. Links and emails are started through both web apps; one group is killed mid-way; the
other finishes the work: every link once on TikTok, every email once, no throttle answer.

The TikTok account already holds 3,000 objects, so recovery that read the account's whole
history would cost 600 list calls; it must cost what the unsure links cost.
Runs in `make test`'s RQ pass (PostgreSQL + Redis, TASKS_BACKEND=rq).
"""

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import django_rq
import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rq.job import Job
from rq.registry import StartedJobRegistry

from inviteflow.accounts.services import create_api_key
from inviteflow.campaigns import services as campaigns
from inviteflow.creators.models import Creator
from inviteflow.links.models import InviteLink
from inviteflow.outreach import services as outreach
from inviteflow.outreach.models import OutboxMessage
from tests.background.test_through_workers import wait_for
from tests.links.test_recovery_cost import add_history
from tests.processes import kill_machine
from tests.sandbox_fixtures import APP_ID, APP_SECRET, database_url_for_processes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.background_work,
    pytest.mark.skipif(
        settings.TASKS_BACKEND != "rq" or connection.vendor != "postgresql",
        reason="two machines share PostgreSQL and Redis: the RQ pass",
    ),
]
# The sandbox enforces TikTok's real limits here; the groups share the Redis limiter.
REAL_LIMITS = {"qps": 10, "qpm": 600}
CREATORS_PER_GROUP = 30  # two links each: 60 TikTok objects per group
EMAILS_PER_GROUP = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Group:
    """One "machine": web + two workers (+ the scheduler), in their own session."""

    def __init__(self, name: str, root: Path, env: dict[str, str], scheduler: bool) -> None:
        self.name, self.port = name, free_port()
        home = root / name
        (home / "var").mkdir(parents=True)
        self.env = {**env, "INVITEFLOW_VAR_DIR": str(home / "var"), "PORT": str(self.port)}
        cli = [sys.executable, "-m", "inviteflow.cli"]
        web = [sys.executable, "-m", "gunicorn", "inviteflow.wsgi:application", "--workers", "1"]
        commands = [[*web, "--bind", f"127.0.0.1:{self.port}"], [*cli, "worker"], [*cli, "worker"]]
        if scheduler:
            commands.append([*cli, "scheduler", "--tick", "1"])
        self.processes = [self._start(command, home) for command in commands]
        self.url = f"http://127.0.0.1:{self.port}"

    def _start(self, command: list[str], home: Path) -> subprocess.Popen:
        log = (home / f"{len(command)}-{time.monotonic_ns()}.log").open("w")
        return subprocess.Popen(
            command, cwd=home, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def wait_until_serving(self) -> None:
        def serving() -> bool:
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(serving, 60, f"group {self.name}'s web app")

    def api(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1", headers={"Authorization": f"Bearer {key}"}
        )

    def kill(self) -> None:
        """The machine dies: every process of the group, RQ's work horses included (they run
        in process groups of their own)."""
        kill_machine(*self.processes)


@pytest.fixture
def groups(live_sandbox, smtp, tmp_path) -> Iterator[list[Group]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "REDIS_URL": settings.REDIS_URL,
        "TASKS_BACKEND": "rq",
        "SECRET_KEY": settings.SECRET_KEY,  # one installation: one key for stored secrets
        "TIKTOK_API_BASE_URL": live_sandbox.url,
        "TIKTOK_APP_ID": APP_ID,
        "TIKTOK_APP_SECRET": APP_SECRET,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
    }
    started = [
        Group("a", tmp_path, env, scheduler=False),
        Group("b", tmp_path, env, scheduler=True),
    ]
    yield started
    for group in started:
        group.kill()


def campaign_of(workspace, group: str):
    campaign = campaigns.create_campaign(
        workspace,
        name=f"Group {group}",
        starts_on=date.today(),
        ends_on=date(2099, 1, 31),
        posts_required=12,
    )
    handles = [f"{group}_maker_{i}" for i in range(CREATORS_PER_GROUP // 2)]
    creators = Creator.objects.bulk_create(
        [Creator(workspace=workspace, name=h, handle=h, email=f"{h}@example.com") for h in handles]
    )
    campaigns.add_creators(campaign, creators)
    return campaign, creators


@pytest.mark.parametrize("live_sandbox", [REAL_LIMITS], indirect=True)
def test_the_surviving_group_finishes_the_killed_groups_work(
    live_sandbox, tiktok_connected, workspace, smtp, groups
):
    add_history(live_sandbox, 3000)
    work = {name: [campaign_of(workspace, f"{name}{i}") for i in (1, 2)] for name in ("a", "b")}
    template = outreach.create_template(
        workspace, name="Hello", subject="Hello {{ creator.name }}", body="Hi {{ creator.name }}!"
    )
    key = create_api_key(workspace, "two groups")[1]
    started = time.monotonic()
    a = groups[0]
    for group in groups:
        group.wait_until_serving()
        with group.api(key) as api:
            for campaign, creators in work[group.name]:
                enabled = api.patch(f"/campaigns/{campaign.pk}", json={"tiktok_enabled": True})
                assert enabled.is_success, enabled.text
                ids = [c.pk for c in creators[: EMAILS_PER_GROUP // 2]]
                sent = api.post(
                    f"/campaigns/{campaign.pk}/outreach",
                    json={"template_id": template.pk, "creator_ids": ids},
                )
                assert sent.status_code == 202, sent.text

    objects = lambda: live_sandbox.campaigns()["campaigns"]  # noqa: E731
    wait_for(lambda: _provisioning_in(a), 120, "group a's workers to be provisioning")
    wait_for(lambda: len(objects()) >= 3000 + 20, 120, "provisioning to be under way")
    claimed_at_kill = _claimed()
    live_sandbox.clear_stats()
    a.kill()
    killed_at = time.monotonic()
    print(f"\nkilled group a; {len(claimed_at_kill)} links were claimed by workers")

    takeover = wait_for(
        lambda: not InviteLink.objects.filter(pk__in=claimed_at_kill, status="pending").exists(),
        120,
        "the dead group's claimed links to be settled",
    )
    pending = InviteLink.objects.filter(status="pending")
    wait_for(lambda: not pending.exists(), 180, "every link")
    messages = OutboxMessage.objects.all()
    wait_for(lambda: messages.filter(status="sent").count() == 2 * EMAILS_PER_GROUP, 120, "emails")

    stats = live_sandbox.stats()
    mine = [c for c in objects() if c["campaign_name"].startswith("Group ")]
    per_handle = Counter(c["creators"][0]["handle"] for c in mine)
    list_calls = live_sandbox.calls_to("/tto/tcm/campaign/")
    print(
        f"links {len(mine)}, emails {len(smtp.messages)}, "
        f"{time.monotonic() - started:.1f} s in all, takeover {takeover:.1f} s after the kill, "
        f"{list_calls} list calls after the kill, throttled {stats['by_code'].get('40100', 0)}"
    )
    assert set(per_handle.values()) == {2} and len(per_handle) == 2 * CREATORS_PER_GROUP
    assert InviteLink.objects.filter(status="active").count() == 4 * CREATORS_PER_GROUP
    assert Counter(m["To"] for m in smtp.messages).most_common(1)[0][1] == 1
    assert len(smtp.messages) == 2 * EMAILS_PER_GROUP
    assert stats["by_code"].get("40100", 0) == 0, "the shared limiter kept both groups under"
    assert time.monotonic() - killed_at < 240
    assert takeover < 60, f"took {takeover:.0f} s to take over the dead group's claims"
    assert list_calls < 60, f"{list_calls} list calls: recovery read the account's history"


def _provisioning_in(group: Group) -> bool:
    """Some worker of `group` is running a provisioning task (RQ's registry of started jobs)."""
    pids = {str(process.pid) for process in group.processes}
    registry = StartedJobRegistry(queue=django_rq.get_queue("tiktok"))
    names = [
        Job.fetch(i, connection=registry.connection).worker_name for i in registry.get_job_ids()
    ]
    return any(name and name.split("-")[-2] in pids for name in names)


def _claimed() -> list[int]:
    """Links claimed by some worker now: the kill leaves group a's claimed until they expire."""
    claimed = InviteLink.objects.filter(status="pending", claimed_until__gt=timezone.now())
    return list(claimed.values_list("pk", flat=True))
