"""/metrics and `inviteflow metrics`: Prometheus text from every process of the machine.

Counters live in prometheus_client's multiprocess files under the test run's VAR_DIR, which
the worker processes started here inherit, so what a worker counted shows in the web app's
exposition. Counters are compared before and after, since earlier tests count too.
"""

import json
import os
import subprocess
import sys
import threading
import time
from ipaddress import ip_network
from wsgiref.simple_server import make_server

import httpx
import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from inviteflow.core import metrics
from inviteflow.core.enqueue import enqueue_on_commit, task_of
from inviteflow.core.management.commands.metrics import QuietHandler, metrics_app
from inviteflow.posts import webhooks
from inviteflow.posts.models import WebhookEndpoint
from inviteflow.tiktok.client import TikTokClient
from inviteflow.tiktok.errors import Throttled
from inviteflow.tiktok.ratelimit import get_limiter
from inviteflow.tiktok.tasks import RUN_DOCTOR
from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID, APP_SECRET


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """GET /metrics as Prometheus would, parsed to {(sample name, labels): value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    return sum(
        value
        for (sample, found), value in samples.items()
        if sample == name and set(labels.items()) <= set(found)
    )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# TikTok calls, limiter, jobs ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_tiktok_calls_and_job_made_by_a_worker_process_show_in_the_web_apps_metrics(
    client, tiktok_connected, live_sandbox, workspace, start_worker
):
    before = scrape(client)
    live_sandbox.clear_stats()
    with transaction.atomic():
        enqueue_on_commit(RUN_DOCTOR, workspace.pk)
    start_worker()
    wait_for(
        lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists(),
        60,
        "the worker to run the doctor",
    )
    after = scrape(client)

    sandbox = live_sandbox.stats()
    assert sandbox["total_calls"] > 0
    counted = {
        (metrics.endpoint_of(path), code): found["by_code"][code]
        for path, found in sandbox["by_endpoint"].items()
        for code in found["by_code"]
    }
    name = "inviteflow_tiktok_calls_total"
    for (endpoint, code), calls in counted.items():
        moved = total(after, name, endpoint=endpoint, code=code) - total(
            before, name, endpoint=endpoint, code=code
        )
        assert moved == calls, f"{endpoint} code {code}: counted {moved}, sandbox saw {calls}"
    assert total(after, name) - total(before, name) == sandbox["total_calls"]

    runs = "inviteflow_task_duration_seconds_count"
    labels = {"task": "tiktok.run_doctor", "status": "SUCCESSFUL"}
    assert total(after, runs, **labels) - total(before, runs, **labels) == 1
    finished = "inviteflow_tasks_finished_total"
    assert total(after, finished, **labels) - total(before, finished, **labels) == 1


@pytest.mark.django_db
def test_throttle_answers_are_counted_by_code_and_start_a_counted_pause(
    client, live_sandbox, settings
):
    live_sandbox.faults(qps=2)
    # Short stops, so the calls after a throttle answer go on within the test.
    settings.TIKTOK_THROTTLE_PAUSE_S, settings.TIKTOK_THROTTLE_COOLDOWN_S = 0.2, 1
    before = scrape(client)
    tiktok = TikTokClient.from_settings(ACCESS_TOKEN, max_retries=0)
    throttled = 0
    with tiktok:
        for _ in range(6):  # the sandbox allows 2 a second; our limiter allows 1000
            try:
                tiktok.tto_accounts()
            except Throttled:
                throttled += 1
    after = scrape(client)
    assert throttled > 0
    calls = "inviteflow_tiktok_calls_total"
    labels = {"endpoint": "/tto/oauth2/tcm/", "code": "40100", "http_status": "200"}
    assert total(after, calls, **labels) - total(before, calls, **labels) == throttled
    ok = {"endpoint": "/tto/oauth2/tcm/", "code": "0", "http_status": "200"}
    assert total(after, calls, **ok) - total(before, calls, **ok) == 6 - throttled
    stops = "inviteflow_tiktok_cooldowns_total"
    assert total(after, stops, kind="pause") - total(before, stops, kind="pause") >= 1
    waits = "inviteflow_tiktok_limiter_wait_seconds_count"
    assert total(after, waits, outcome="granted") - total(before, waits, outcome="granted") == 6


@pytest.mark.django_db
def test_queue_depths_and_workers_are_read_at_scrape_time(client):
    task_of(RUN_DOCTOR).enqueue(1)  # a TikTok-bound task: the tiktok queue
    samples = scrape(client)
    depth = "inviteflow_queue_tasks"
    assert total(samples, depth, queue="tiktok", state="ready") == 1
    assert total(samples, depth, queue="email", state="ready") == 0
    assert total(samples, "inviteflow_status_readable", part="queues") == 1
    assert ("inviteflow_workers", (("state", "alive"),)) in samples


# Webhook intake ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_webhook_deliveries_are_counted_by_outcome(client, workspace, settings):
    settings.TIKTOK_APP_SECRET = APP_SECRET
    endpoint = WebhookEndpoint.objects.create(workspace=workspace, account_id=ACCOUNT_ID)
    url = f"/webhooks/tiktok/{endpoint.token}/"
    body = json.dumps({"object": 10, "entry": []}).encode()
    signed = {"HTTP_X_OPEN_SIGNATURE": webhooks.sign(APP_SECRET, body)}
    before = scrape(client)
    for headers in (signed, signed, {"HTTP_X_OPEN_SIGNATURE": "0" * 64}):
        client.post(url, body, content_type="application/json", **headers)
    client.post("/webhooks/tiktok/no-such-token/", body, content_type="application/json", **signed)
    after = scrape(client)
    name = "inviteflow_webhooks_received_total"
    moved = {
        outcome: total(after, name, outcome=outcome) - total(before, name, outcome=outcome)
        for outcome in ("stored", "duplicate", "bad_signature", "not_found")
    }
    assert moved == {"stored": 1, "duplicate": 1, "bad_signature": 1, "not_found": 1}


@pytest.mark.django_db
def test_the_exposition_names_no_workspace(client, actors, settings):
    settings.TIKTOK_APP_SECRET = APP_SECRET
    endpoint = WebhookEndpoint.objects.create(workspace=actors.workspace)
    body = b'{"object": 10, "entry": []}'
    client.post(
        f"/webhooks/tiktok/{endpoint.token}/",
        body,
        content_type="application/json",
        HTTP_X_OPEN_SIGNATURE=webhooks.sign(APP_SECRET, body),
    )
    text = client.get("/metrics").content.decode()
    for tenant in ("acme", "Acme", "globex", "Globex", endpoint.token, "owner@acme.test"):
        assert tenant not in text
    labels = {name for (_, found) in parse(text) for name, _value in found}
    assert labels <= {
        "method", "endpoint", "http_status", "code", "outcome", "kind", "task", "status",
        "queue", "state", "part", "window", "le",
    }  # fmt: skip


# Access -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_loopback_by_default_and_refuse_other_addresses(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "METRICS_ALLOWED_IPS" in refused.json()["message"]
    assert b"inviteflow_" not in refused.content


@pytest.mark.django_db
def test_metrics_answer_the_networks_allowed_by_the_setting(client, settings):
    settings.METRICS_ALLOWED_IPS = [ip_network("10.1.0.0/16")]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.django_db
def test_a_request_relayed_by_an_untrusted_proxy_is_refused(client, settings):
    """A reverse proxy on the same machine connects from loopback: without
    TRUSTED_PROXY_COUNT its clients must not pass for loopback."""
    relayed = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert client.get("/metrics", **relayed).status_code == 403
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", **relayed).status_code == 403  # the real client is outside
    settings.METRICS_ALLOWED_IPS = [ip_network("198.51.100.0/24")]
    assert client.get("/metrics", **relayed).status_code == 200


def test_the_metrics_setting_refuses_a_value_that_is_no_address(tmp_path):
    env = {"METRICS_ALLOWED_IPS": "127.0.0.1,not-an-ip", "INVITEFLOW_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import inviteflow.settings"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS: 'not-an-ip' is not an IP address or network" in result.stderr


# `inviteflow metrics` (machines without the web app) -------------------------------------------


@pytest.fixture
def metrics_server():
    server = make_server("127.0.0.1", 0, metrics_app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_the_metrics_command_serves_the_machines_counters_to_allowed_addresses(
    metrics_server, settings
):
    metrics.count_webhook("stored")  # this process counts; the server reads the directory
    answer = httpx.get(f"{metrics_server}/metrics")
    assert answer.status_code == 200
    assert total(parse(answer.text), "inviteflow_webhooks_received_total", outcome="stored") >= 1
    assert total(parse(answer.text), "inviteflow_queue_tasks", queue="tiktok", state="ready") == 0
    assert httpx.get(f"{metrics_server}/other").status_code == 404

    settings.METRICS_ALLOWED_IPS = [ip_network("10.0.0.0/8")]
    refused = httpx.get(f"{metrics_server}/metrics")
    assert refused.status_code == 403
    assert "inviteflow_" not in refused.text


@pytest.mark.django_db
def test_the_metrics_command_prints_once(capsys):
    metrics.count_cooldown("stop")
    call_command("metrics", "--once")
    printed = parse(capsys.readouterr().out)
    assert total(printed, "inviteflow_tiktok_cooldowns_total", kind="stop") >= 1


# Files of processes that are gone ---------------------------------------------------------------

COUNT_IN_A_CHILD = """
import os, sys
os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[1]
from prometheus_client import Counter, Histogram, Summary
Counter("jobs", "Jobs.", ["kind"]).labels(kind="a").inc(float(sys.argv[2]))
Histogram("wait_seconds", "Waits.", buckets=(1, 10)).observe(float(sys.argv[2]))
Summary("read_seconds", "Reads.").observe(float(sys.argv[2]))
"""


def count_in_a_child(directory, amount: float) -> None:
    """A process that counts and exits, as an RQ work-horse or a gunicorn worker does."""
    subprocess.run(
        [sys.executable, "-c", COUNT_IN_A_CHILD, str(directory), str(amount)], check=True
    )


def read_directory(directory) -> dict:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


def test_files_of_exited_processes_are_merged_without_losing_a_count(tmp_path):
    count_in_a_child(tmp_path, 3)
    count_in_a_child(tmp_path, 20)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    assert metrics.compact(tmp_path) == 6  # a counter, a histogram and a summary file each

    assert sorted(path.name for path in tmp_path.glob("*.db")) == [
        "counter_archive.db",
        "histogram_archive.db",
        "summary_archive.db",
    ]
    count_in_a_child(tmp_path, 5)  # and one more after the merge
    metrics.compact(tmp_path)
    samples = read_directory(tmp_path)
    assert samples[("jobs_total", (("kind", "a"),))] == 28
    assert samples[("wait_seconds_count", ())] == 3
    assert samples[("wait_seconds_bucket", (("le", "1.0"),))] == 0
    assert samples[("wait_seconds_bucket", (("le", "10.0"),))] == 2  # 3 and 5
    assert samples[("wait_seconds_sum", ())] == 28
    assert samples[("read_seconds_count", ())] == 3


def test_tidy_merges_the_files_of_exited_processes_in_the_machines_directory(settings, tmp_path):
    settings.METRICS_DIR = tmp_path
    count_in_a_child(tmp_path, 2)
    assert metrics.tidy() == 3
    assert read_directory(tmp_path)[("jobs_total", (("kind", "a"),))] == 2


def test_files_of_running_processes_are_left_alone():
    metrics.count_webhook("stored")  # this process has a file in the test run's directory
    own = metrics.metrics_dir() / f"counter_{os.getpid()}.db"
    assert own.exists()
    metrics.compact(metrics.metrics_dir())
    assert own.exists()


def test_the_limiter_state_is_exposed_after_a_throttle(client, db):
    limiter = get_limiter()
    limiter.throttled()
    samples = scrape(client)
    assert total(samples, "inviteflow_tiktok_cooldown_until_timestamp_seconds") > time.time()
    assert total(samples, "inviteflow_tiktok_slow_pace_until_timestamp_seconds") > time.time()
    assert total(samples, "inviteflow_tiktok_limiter_budget", window="second") == 10
