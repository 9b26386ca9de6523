"""`inviteflow status`: workers with their last heartbeat, queue depths and the TikTok limiter,
on the database backend and (when Redis is reachable) on RQ."""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import redis
from django.core.management import CommandError, call_command
from django.utils import timezone
from rq import Queue

from inviteflow.core.enqueue import task_of
from inviteflow.core.models import WorkerBeat
from inviteflow.core.scheduler import autodiscover
from inviteflow.tiktok.ratelimit import get_limiter
from tests.sandbox_fixtures import database_url_for_processes

RQ_TEST_DB = 12  # a Redis database of its own: the tests empty it


def status_json(capsys) -> dict:
    call_command("status", "--json")
    return json.loads(capsys.readouterr().out)


def beat(worker_id: str, seconds_ago: float, queues: str = "tiktok,email,default") -> None:
    now = timezone.now()
    WorkerBeat.objects.create(
        worker_id=worker_id,
        host="machine-a",
        pid=4242,
        backend="db",
        queues=queues,
        started_at=now - timedelta(hours=1),
        last_seen=now - timedelta(seconds=seconds_ago),
    )


def depth(found: dict, queue: str) -> dict:
    return next(row for row in found["queues"] if row["queue"] == queue)


def enqueue_a_few_tasks() -> None:
    autodiscover()
    task_of("tiktok.run_doctor").enqueue(1)
    task_of("tiktok.run_doctor").enqueue(2)
    later = timezone.now() + timedelta(hours=1)
    task_of("tiktok.run_doctor").using(run_after=later).enqueue(3)


@pytest.mark.django_db
def test_status_json_lists_workers_alive_and_dead_queues_and_the_limiter(capsys):
    beat("machine-a-1-aaaaaa", seconds_ago=2, queues="tiktok")
    beat("machine-b-2-bbbbbb", seconds_ago=600, queues="email,default")
    enqueue_a_few_tasks()
    get_limiter().throttled()  # a first throttle answer: a brief pause, then a slower pace

    found = status_json(capsys)

    assert found["backend"] == "db"
    workers = {worker["worker_id"]: worker for worker in found["workers"]}
    assert workers["machine-a-1-aaaaaa"]["alive"] is True
    assert workers["machine-a-1-aaaaaa"]["queues"] == ["tiktok"]
    assert workers["machine-b-2-bbbbbb"]["alive"] is False
    assert workers["machine-b-2-bbbbbb"]["silent_s"] >= 600
    assert [row["queue"] for row in found["queues"]] == ["tiktok", "email", "default"]
    assert depth(found, "tiktok") == {
        "queue": "tiktok",
        "ready": 2,
        "scheduled": 1,
        "running": 0,
        "failed": 0,
    }
    assert depth(found, "email")["ready"] == 0
    limiter = found["limiter"]
    assert limiter["store"] == "database"
    assert limiter["cooldown_until"] > time.time()
    assert limiter["slow_until"] > limiter["cooldown_until"]


@pytest.mark.django_db
def test_status_prints_a_table_an_operator_can_read(capsys):
    beat("machine-a-1-aaaaaa", seconds_ago=3)
    beat("machine-b-2-bbbbbb", seconds_ago=120)
    get_limiter().start_cooldown(90)
    call_command("status")
    printed = capsys.readouterr().out
    assert "Task backend: db" in printed
    assert "Workers: 1 alive, 1 dead" in printed
    assert "machine-b-2-bbbbbb" in printed and "DEAD" in printed
    assert "QUEUE    READY  SCHEDULED  RUNNING  FAILED" in printed
    assert "cool-down: until" in printed and "s left" in printed


@pytest.mark.django_db
def test_status_says_which_part_it_could_not_read_and_exits_non_zero(capsys, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{closed}/0"  # the limiter lives in Redis now
    with pytest.raises(CommandError, match="could not read: limiter"):
        call_command("status")
    printed = capsys.readouterr().out
    assert "TikTok limiter: unreadable (ConnectionError" in printed
    assert "Queues:" in printed  # the rest is still shown


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_is_listed_with_its_heartbeat(capsys, start_worker):
    worker = start_worker()
    deadline = time.monotonic() + 60
    while not WorkerBeat.objects.exists():
        assert time.monotonic() < deadline, "the worker never beat"
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.2)
    found = status_json(capsys)
    (listed,) = found["workers"]
    assert listed["pid"] == worker.pid
    assert listed["alive"] is True
    assert listed["queues"] == ["tiktok", "email", "default"]
    assert listed["silent_s"] < 30


# RQ ---------------------------------------------------------------------------------------------


@pytest.fixture
def rq_redis():
    """Redis database RQ_TEST_DB, emptied before and after."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=RQ_TEST_DB, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inviteflow.cli", *args],
        env={**os.environ, "DATABASE_URL": database_url_for_processes(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_status_on_rq_reads_queues_and_limiter_from_redis(rq_redis):
    for n in range(3):
        Queue("tiktok", connection=rq_redis).enqueue("builtins.len", [n])
    Queue("email", connection=rq_redis).enqueue_in(timedelta(hours=1), "builtins.len", [])
    beat("machine-a-1-aaaaaa", seconds_ago=1)
    beat("machine-b-2-bbbbbb", seconds_ago=1)  # two groups of processes, one database

    url = f"redis://127.0.0.1:6379/{RQ_TEST_DB}"
    done = run_cli("status", "--json", TASKS_BACKEND="rq", REDIS_URL=url)

    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["backend"] == "rq"
    assert found["limiter_store"] == "redis"
    assert found["limiter"]["store"] == "redis"
    assert depth(found, "tiktok") == {
        "queue": "tiktok",
        "ready": 3,
        "scheduled": 0,
        "running": 0,
        "failed": 0,
    }
    assert depth(found, "email")["scheduled"] == 1
    assert {worker["worker_id"] for worker in found["workers"]} == {
        "machine-a-1-aaaaaa",
        "machine-b-2-bbbbbb",
    }
