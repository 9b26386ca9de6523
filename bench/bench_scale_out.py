"""Scale-out on PostgreSQL + Redis: RQ workers in two groups of processes (two "machines":
own `var/` each, one database, one Redis), side by side with 1, 2 and 4 workers.

1. Provisioning 1,000 links (4 campaigns of 250) at TikTok's 10 QPS with 200 ms latency:
   wall time against the rate-limit ideal (the TikTok calls the round made, 1,000 creates and
   the first syncs and scans a new connection starts, / 10 QPS; target ≤ 1.10 for every
   worker count) and the sandbox's throttle answers (target 0). More workers cannot
   beat TikTok's limit: this shows they share it without waste.
2. CPU-bound work: five 20,000-row CSV imports (100,000 rows) and four outreach batches of
   5,000 emails (20,000) to a loopback SMTP server in its own process: the speed-up of 2 and
   4 workers over 1 (this machine has 2 cores).

While (1) runs it reads group A's `/metrics` twice (TikTok call counters must move) and prints
`inviteflow status` (both groups' workers must be listed).

    python bench/bench_scale_out.py [--links 1000] [--workers 1,2,4] [--rows 100000] [--emails 20000]
Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; its
tables are flushed) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14; flushed).
"""

import argparse
import contextlib
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_outreach_email import start_smtp_server
from support import ROOT, connect_demo_workspace, report, start_sandbox

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
QPS, LATENCY_MS = 10, 200
CAMPAIGNS = 4
IMPORT_FILE_ROWS = 20_000  # the most one CSV file may hold


def set_up(smtp_port: int) -> None:
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        TASKS_BACKEND="rq",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        INVITEFLOW_VAR_DIR=tempfile.mkdtemp(prefix="inviteflow-bench-"),
        DJANGO_SETTINGS_MODULE="inviteflow.settings",
        LOG_LEVEL="WARNING",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)


class Groups:
    """Two "machines": workers are dealt to them in turn; group A also serves /metrics."""

    def __init__(self, sandbox_url: str) -> None:
        from django.conf import settings

        self.roots = [Path(tempfile.mkdtemp(prefix=f"group-{g}-")) for g in "ab"]
        self.base = {
            **os.environ,
            "SECRET_KEY": settings.SECRET_KEY,
            "TIKTOK_API_BASE_URL": sandbox_url,
            "TIKTOK_APP_ID": settings.TIKTOK_APP_ID,
            "TIKTOK_APP_SECRET": settings.TIKTOK_APP_SECRET,
            "LOG_LEVEL": "WARNING",
        }
        self.base.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each machine its own, under its var/
        self.workers: list[subprocess.Popen] = []
        self.web_port = 0

    def env(self, group: int) -> dict[str, str]:
        return {**self.base, "INVITEFLOW_VAR_DIR": str(self.roots[group])}

    def start_workers(self, count: int) -> None:
        cli = [sys.executable, "-m", "inviteflow.cli", "worker"]
        for i in range(count):
            group = i % 2
            self.workers.append(
                subprocess.Popen(
                    cli, env=self.env(group), cwd=self.roots[group], stdout=subprocess.DEVNULL
                )
            )

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers = []

    def start_web(self) -> subprocess.Popen:
        from tests.outreach.conftest import free_port

        self.web_port = free_port()
        command = [sys.executable, "-m", "gunicorn", "inviteflow.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.web_port}", "--workers", "1"]
        return subprocess.Popen(
            command, env=self.env(0), cwd=self.roots[0], stderr=subprocess.DEVNULL
        )

    def metrics_calls(self) -> int:
        """TikTok calls counted so far by group A's processes, from its /metrics."""
        from inviteflow.outbound import http_client

        with http_client(base_url=f"http://127.0.0.1:{self.web_port}", timeout=10) as http:
            text = http.get("/metrics").text
        calls = re.findall(r"^inviteflow_tiktok_calls_total\{[^}]*\} ([0-9.e+]+)$", text, re.M)
        return int(sum(float(value) for value in calls))

    def pids_by_group(self) -> str:
        """Which worker pids `inviteflow status` lists belong to which "machine"."""
        by_group = [[w.pid for w in self.workers[g::2]] for g in range(2)]
        return f"worker pids: group A {by_group[0]}, group B {by_group[1]}"

    def status(self) -> str:
        command = [sys.executable, "-m", "inviteflow.cli", "status"]
        return subprocess.run(command, env=self.env(1), capture_output=True, text=True).stdout


def wait_until(condition, timeout: float) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out after {timeout} s")
        time.sleep(0.25)
    return time.perf_counter() - start


def fresh_redis() -> None:
    import django_rq

    django_rq.get_connection("default").flushdb()


def provisioning_round(groups: Groups, app, workers: int, links: int) -> dict[str, float]:
    from inviteflow.campaigns import services as campaigns
    from inviteflow.creators.models import Creator
    from inviteflow.links.models import InviteLink

    fresh_redis()
    workspace = connect_demo_workspace(f"scale{workers}")
    per_campaign = links // CAMPAIGNS
    made = []
    for c in range(CAMPAIGNS):
        campaign = campaigns.create_campaign(
            workspace,
            name=f"W{workers} C{c}",
            starts_on=date(2027, 5, 1),
            ends_on=date(2027, 5, 31),
        )
        rows = [
            Creator(workspace=workspace, name=f"C{i}", handle=f"w{workers}_c{c}_{i}")
            for i in range(per_campaign)
        ]
        campaigns.add_creators(campaign, Creator.objects.bulk_create(rows))
        made.append(campaign)
    groups.start_workers(workers)
    # The clock starts with the workers up and the connection's first syncs and scans done,
    # so the round times provisioning alone, as on an installation that is already running.
    wait_until(lambda: workers_beating() >= workers and queues_idle(), 600)
    before = app.runtime.stats.snapshot()
    started = time.perf_counter()
    for campaign in made:
        campaigns.update_campaign(campaign, tiktok_enabled=True)
    active = InviteLink.objects.filter(campaign__in=made, status="active")
    seen: list[str] = []
    if workers == max(ARGS.workers):
        time.sleep(20)
        counted = groups.metrics_calls()
        time.sleep(10)
        seen.append(f"/metrics TikTok calls (group A) {counted} → {groups.metrics_calls()}")
        seen.append(groups.status())
        seen.append(groups.pids_by_group())
    wait_until(lambda: active.count() == per_campaign * CAMPAIGNS, 3600)
    wall = time.perf_counter() - started
    groups.stop_workers()
    for line in seen:
        print(line)
    after = app.runtime.stats.snapshot()
    print(f"  TikTok calls by endpoint ({workers} worker(s)): {calls_by_endpoint(before, after)}")
    return {
        "wall": wall,
        "calls": after["total_calls"] - before["total_calls"],
        "throttled": after["throttled"] - before["throttled"],
    }


def workers_beating() -> int:
    from inviteflow.core.models import WorkerBeat

    return WorkerBeat.objects.count()


def queues_idle() -> bool:
    """No job waiting or running on any queue."""
    import django_rq
    from django.conf import settings
    from rq.registry import StartedJobRegistry

    for name in settings.TASK_QUEUES:
        queue = django_rq.get_queue(name)
        if queue.count or StartedJobRegistry(queue=queue).count:
            return False
    return True


def calls_by_endpoint(before: dict, after: dict) -> dict[str, int]:
    counts = {}
    for endpoint, seen in after["by_endpoint"].items():
        earlier = before["by_endpoint"].get(endpoint, {"total": 0})["total"]
        if seen["total"] > earlier:
            counts[endpoint] = seen["total"] - earlier
    return counts


def import_round(groups: Groups, workers: int, rows: int) -> float:
    from inviteflow.accounts.services import create_workspace
    from inviteflow.creators import services
    from inviteflow.creators.models import CsvImport

    fresh_redis()
    workspace = create_workspace(f"import{workers}", "Import")
    imports = []
    parts = -(-rows // IMPORT_FILE_ROWS)
    for part in range(parts):
        lines = ["name,handle,email,notes"] + [
            f"Creator {part}-{i},imp_{part}_{i},imp_{part}_{i}@example.com,row {i}"
            for i in range(rows // parts)
        ]
        imports.append(services.preview_import(workspace, "\n".join(lines).encode()))
    for csv_import in imports:
        services.confirm_import(csv_import)  # enqueued; no worker yet
    started = time.perf_counter()
    groups.start_workers(workers)
    done = CsvImport.objects.filter(pk__in=[i.pk for i in imports], status="done")
    wait_until(lambda: done.count() == parts, 3600)
    wall = time.perf_counter() - started
    groups.stop_workers()
    return wall


def email_round(groups: Groups, workers: int, emails: int, received) -> float:
    from inviteflow.accounts.services import create_workspace
    from inviteflow.campaigns import services as campaigns
    from inviteflow.creators.models import Creator
    from inviteflow.outreach import services as outreach

    fresh_redis()
    workspace = create_workspace(f"mail{workers}", "Mail")
    template = outreach.create_template(
        workspace, name="Hello", subject="Hello {{ creator.name }}", body="Hi {{ creator.name }}!"
    )
    for part in range(4):
        campaign = campaigns.create_campaign(
            workspace, name=f"Mail {part}", starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 31)
        )
        creators = Creator.objects.bulk_create(
            Creator(
                workspace=workspace,
                name=f"M{i}",
                handle=f"m{part}_{i}",
                email=f"m{part}_{i}@example.com",
            )
            for i in range(emails // 4)
        )
        campaigns.add_creators(campaign, creators)
        outreach.send_outreach(campaign, template, creators)  # enqueued; no worker yet
    first = received.value
    started = time.perf_counter()
    groups.start_workers(workers)
    wait_until(lambda: received.value - first >= emails, 3600)
    wall = time.perf_counter() - started
    groups.stop_workers()
    return wall


def main() -> None:
    smtp_port, received, smtp_process = start_smtp_server()
    set_up(smtp_port)
    url, app, server = start_sandbox(
        Path(os.environ["INVITEFLOW_VAR_DIR"]), qps=QPS, qpm=60 * QPS, latency_ms=LATENCY_MS
    )
    groups = Groups(url)
    web = groups.start_web()
    rows = []
    try:
        for workers in ARGS.workers:
            result = provisioning_round(groups, app, workers, ARGS.links)
            ideal = result["calls"] / QPS  # every TikTok call of the round shares the limit
            rows.append(
                (
                    f"provisioning, {workers} worker(s)",
                    f"{result['wall']:.1f} s = {result['wall'] / ideal:.2f} × ideal "
                    f"({result['calls']} calls / {QPS} QPS = {ideal:.0f} s), "
                    f"{result['throttled']} × 40100",
                )
            )
            print(*rows[-1], flush=True)
        imports = {w: import_round(groups, w, ARGS.rows) for w in ARGS.workers}
        mails = {w: email_round(groups, w, ARGS.emails, received) for w in ARGS.workers}
    finally:
        groups.stop_workers()
        web.terminate()
        smtp_process.terminate()
        server.shutdown()
    one = ARGS.workers[0]
    for w in ARGS.workers:
        rows.append(
            (
                f"{ARGS.rows:,}-row import, {w} worker(s)",
                f"{imports[w]:.1f} s, speed-up {imports[one] / imports[w]:.2f}×",
            )
        )
    for w in ARGS.workers:
        rows.append(
            (
                f"{ARGS.emails:,} emails, {w} worker(s)",
                f"{mails[w]:.1f} s, speed-up {mails[one] / mails[w]:.2f}×",
            )
        )
    report(f"Scale-out on RQ, two groups ({os.cpu_count()} cores)", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument(
        "--workers", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2, 4]
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=20_000)
    ARGS = parser.parse_args()
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    multiprocessing.set_start_method("fork")
    with contextlib.suppress(KeyboardInterrupt):
        main()
