"""The installation as an operator sees it: workers, queues, the TikTok limiter, readiness.

Read at the moment of asking from where the state lives (the database, Redis), so every
machine sees the same answer. `inviteflow status` prints it, `/metrics` exposes it as gauges
(`InstallationCollector`), and `/readyz` uses the readiness checks.
"""

import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from inviteflow.core.models import WorkerBeat
from inviteflow.tiktok.ratelimit import LimiterView, get_limiter

log = logging.getLogger(__name__)

REDIS_TIMEOUT_S = 2.0  # a readiness probe or a status read must not hang on a dead Redis


@dataclass(frozen=True)
class Worker:
    worker_id: str
    host: str
    pid: int
    backend: str
    queues: list[str]
    started_at: datetime
    last_seen: datetime
    silent_s: float  # seconds since its last heartbeat
    alive: bool


@dataclass(frozen=True)
class QueueDepth:
    """Tasks of one queue: waiting to run now, waiting for a later time, running, failed."""

    queue: str
    ready: int
    scheduled: int
    running: int
    failed: int


def workers() -> list[Worker]:
    """Every worker that beat within the last day (newest first); dead ones are marked."""
    now = timezone.now()
    beats = WorkerBeat.objects.order_by("host", "worker_id")
    return [_worker(beat, now) for beat in beats]


def _worker(beat: WorkerBeat, now: datetime) -> Worker:
    silent = max(0.0, (now - beat.last_seen).total_seconds())
    return Worker(
        worker_id=beat.worker_id,
        host=beat.host,
        pid=beat.pid,
        backend=beat.backend,
        queues=[name for name in beat.queues.split(",") if name],
        started_at=beat.started_at,
        last_seen=beat.last_seen,
        silent_s=silent,
        alive=silent < settings.WORKER_DEAD_AFTER_SECONDS,
    )


def queue_depths() -> list[QueueDepth]:
    """Every queue of settings.TASK_QUEUES, from the task backend in use."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq  # RQ's modules load only where RQ is used

        return rq_queue_depths({name: django_rq.get_queue(name) for name in settings.TASK_QUEUES})
    return db_queue_depths(settings.TASK_QUEUES)


def db_queue_depths(queues: list[str]) -> list[QueueDepth]:
    """django-tasks-db: rows by status; READY rows with a future `run_after` are scheduled
    (django-tasks-db stores "no run_after" as the largest date)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = Q(status=TaskResultStatus.READY)
    later = Q(run_after__gt=timezone.now()) & ~Q(run_after=get_date_max())
    counts = (
        DBTaskResult.objects.filter(queue_name__in=queues)
        .values("queue_name")
        .annotate(
            ready=Count("pk", filter=waiting & ~later),
            scheduled=Count("pk", filter=waiting & later),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
        .order_by()
    )
    found = {row["queue_name"]: row for row in counts}
    return [_depth(name, found.get(name, {})) for name in queues]


def _depth(queue: str, counts: Mapping[str, Any]) -> QueueDepth:
    states = ("ready", "scheduled", "running", "failed")
    return QueueDepth(queue, *(counts.get(state, 0) for state in states))


def rq_queue_depths(queues: dict[str, Any]) -> list[QueueDepth]:
    """RQ: the queue's list and its scheduled, started and failed registries, read without
    RQ's registry clean-up (recovery decides what a dead worker's jobs become)."""
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    def count(registry_class: Any, queue: Any) -> int:
        return int(registry_class(queue=queue).get_job_count(cleanup=False))

    return [
        QueueDepth(
            queue=name,
            ready=int(queue.count),
            scheduled=count(ScheduledJobRegistry, queue),
            running=count(StartedJobRegistry, queue),
            failed=count(FailedJobRegistry, queue),
        )
        for name, queue in queues.items()
    ]


def limiter_state() -> LimiterView:
    return get_limiter().state()


def snapshot() -> dict[str, Any]:
    """Everything `inviteflow status --json` prints; a part that cannot be read says why."""
    return {
        "backend": settings.TASKS_BACKEND,
        "limiter_store": "redis" if settings.REDIS_URL else "database",
        "workers": _read(lambda: [asdict(worker) for worker in workers()]),
        "queues": _read(lambda: [asdict(depth) for depth in queue_depths()]),
        "limiter": _read(lambda: asdict(limiter_state())),
    }


def _read(read: Any) -> Any:
    try:
        return read()
    except Exception as exc:
        log.warning("status: could not read %s", read, exc_info=True)
        return {"error": _reason(exc)}


def _reason(exc: Exception) -> str:
    """The failure's kind and message's first line; connection URLs never reach it."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first_line}"[:200] if first_line else type(exc).__name__


# Readiness ----------------------------------------------------------------------------------


def readiness() -> dict[str, str]:
    """Each dependency the app needs to do its work: "ok" or why not. Redis is checked when it
    is configured (REDIS_URL, or the RQ backend); the task backend when Redis (for RQ) is up."""
    checks = {"database": _check(_database)}
    if settings.REDIS_URL or settings.TASKS_BACKEND == "rq":
        checks["redis"] = _check(_redis)
    if checks.get("redis", "ok") != "ok" and settings.TASKS_BACKEND == "rq":
        checks["tasks"] = "error: RQ keeps its queues in Redis, which is not reachable"
    else:
        checks["tasks"] = _check(_task_backend)
    return checks


def _check(probe: Any) -> str:
    try:
        probe()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    import redis

    url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()


def _task_backend() -> None:
    """The configured backend loads and its queues can be read (where enqueued tasks go)."""
    from django_tasks import task_backends

    task_backends["default"]  # noqa: B018 — instantiating checks the configuration
    queue_depths()


# Prometheus gauges, read at scrape time ------------------------------------------------------

# LimiterView field -> (gauge, help)
LIMITER_GAUGES = {
    "cooldown_until": (
        "inviteflow_tiktok_cooldown_until_timestamp_seconds",
        "Unix time until which no TikTok call goes, installation-wide (0: no cool-down).",
    ),
    "slow_until": (
        "inviteflow_tiktok_slow_pace_until_timestamp_seconds",
        "Unix time until which the pace stays slowed after a throttle answer (0: never).",
    ),
    "in_flight": (
        "inviteflow_tiktok_limiter_in_flight",
        "TikTok calls granted whose answer is not in yet.",
    ),
    "last_minute": (
        "inviteflow_tiktok_limiter_last_minute",
        "TikTok calls counted against the minute window.",
    ),
    "waiting": ("inviteflow_tiktok_limiter_waiting", "Callers waiting for a TikTok call slot."),
}


class InstallationCollector(Collector):
    """Installation-wide gauges: the same values from every machine (aggregate with max)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        readable = GaugeMetricFamily(
            "inviteflow_status_readable",
            "1 when this part of the installation's state could be read at scrape time.",
            labels=["part"],
        )
        for part, read in (
            ("queues", self._queues),
            ("limiter", self._limiter),
            ("workers", self._workers),
        ):
            try:
                families = list(read())
            except Exception:
                log.warning("metrics: could not read %s", part, exc_info=True)
                readable.add_metric([part], 0)
                continue
            readable.add_metric([part], 1)
            yield from families
        yield readable

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "inviteflow_queue_tasks",
            "Tasks per queue and state (ready, scheduled, running, failed), read at scrape time.",
            labels=["queue", "state"],
        )
        for found in queue_depths():
            for state in ("ready", "scheduled", "running", "failed"):
                depth.add_metric([found.queue, state], getattr(found, state))
        yield depth

    def _limiter(self) -> Iterator[GaugeMetricFamily]:
        view = limiter_state()
        for field, (name, help_text) in LIMITER_GAUGES.items():
            yield GaugeMetricFamily(name, help_text, value=getattr(view, field))
        budget = GaugeMetricFamily(
            "inviteflow_tiktok_limiter_budget",
            "TikTok's rate limit this installation keeps under, calls per window.",
            labels=["window"],
        )
        budget.add_metric(["second"], view.qps)
        budget.add_metric(["minute"], view.qpm)
        yield budget

    def _workers(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "inviteflow_workers",
            "Task workers by state (alive: beat within WORKER_DEAD_AFTER_SECONDS).",
            labels=["state"],
        )
        found = workers()
        alive = sum(worker.alive for worker in found)
        family.add_metric(["alive"], alive)
        family.add_metric(["dead"], len(found) - alive)
        yield family
