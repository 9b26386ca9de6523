"""Prometheus metrics: what this machine's processes counted, in one exposition.

Web processes (gunicorn workers), task workers and the scheduler are separate processes, and
TikTok calls happen in task workers, so counters live in prometheus_client's multiprocess
mode: each process writes its own small files in settings.METRICS_DIR (PROMETHEUS_MULTIPROC_DIR,
set by settings before prometheus_client is imported), and an exposition adds up the files of
the whole directory. One directory per machine (or container); `/metrics` serves it from the
web app, `inviteflow metrics --port N` from a machine that runs only workers.

Files of processes that are gone (a restarted gunicorn worker, an RQ job's forked work-horse,
the previous `inviteflow run`) are merged into one archive file per kind before each
exposition (`compact`; `tidy` for a supervisor's start), so counters never go backwards across
restarts and the directory does not grow with every process that ever ran. Only counters and
histograms are kept in files (both add up); gauges are read at scrape time from the database
and Redis (core.status).

Labels are aggregates only: endpoint paths, answer codes, task and queue names, outcomes.
Never a workspace, creator or campaign, so the exposition holds no tenant data.
"""

import fcntl
import glob
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import wraps
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_client.values import ValueClass

if not getattr(ValueClass, "_multiprocess", False):
    # Counters would stay in this process's memory, and /metrics would never see them.
    raise ImproperlyConfigured(
        "prometheus_client was imported before inviteflow's settings set PROMETHEUS_MULTIPROC_DIR:"
        " import Django's settings first"
    )

TIKTOK_CALLS = Counter(
    "inviteflow_tiktok_calls",
    "TikTok API calls by endpoint path, HTTP status and TikTok's envelope code.",
    ["method", "endpoint", "http_status", "code"],
)
LIMITER_WAIT = Histogram(
    "inviteflow_tiktok_limiter_wait_seconds",
    "Seconds a TikTok call waited for a slot in the shared rate limiter.",
    ["outcome"],
    buckets=(0.005, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
COOLDOWNS = Counter(
    "inviteflow_tiktok_cooldowns",
    "Stops of every TikTok call after a throttle answer: a brief pause, or the full cool-down.",
    ["kind"],
)
TASK_DURATION = Histogram(
    "inviteflow_task_duration_seconds",
    "How long background tasks ran, by task and final status.",
    ["task", "status"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 1800, 3600),
)
TASKS_FINISHED = Counter(
    "inviteflow_tasks_finished",
    "Background tasks finished, by task and status.",
    ["task", "status"],
)
WEBHOOKS = Counter(
    "inviteflow_webhooks_received",
    "TikTok webhook deliveries received, by outcome (stored, duplicate, or the refusal's code).",
    ["outcome"],
)

_API_PATH = re.compile(r"/open_api/v[\d.]+(?P<endpoint>/.*)$")
# The kinds of files whose samples add up, so a dead process's can be merged: ours, and the
# summary django_rq defines when prometheus_client is installed. Gauges (none of ours) are not.
_KINDS = ("counter", "histogram", "summary")
_ARCHIVE = "archive"


# Recording ----------------------------------------------------------------------------------


def count_tiktok_call(method: str, path: str, http_status: int | None, code: int | None) -> None:
    """One HTTP exchange with TikTok; `http_status` None is a transport failure (no answer)."""
    TIKTOK_CALLS.labels(
        method=method,
        endpoint=endpoint_of(path),
        http_status=str(http_status) if http_status is not None else "none",
        code=str(code) if code is not None else "none",
    ).inc()


def endpoint_of(path: str) -> str:
    """`/open_api/v1.3/tto/tcm/campaign/` → `/tto/tcm/campaign/` (whatever the base URL's path)."""
    found = _API_PATH.search(path)
    return found["endpoint"] if found else path


def observe_limiter_wait(seconds: float, granted: bool) -> None:
    """How long one call waited; `not_granted`: it gave up (a timeout, or an error)."""
    outcome = "granted" if granted else "not_granted"
    LIMITER_WAIT.labels(outcome=outcome).observe(max(0.0, seconds))


def count_cooldown(kind: str) -> None:
    """`pause` (a first throttle answer), `cooldown` (a second within a minute), `stop`
    (an explicit `start_cooldown(seconds)`)."""
    COOLDOWNS.labels(kind=kind).inc()


def count_webhook(outcome: str) -> None:
    WEBHOOKS.labels(outcome=outcome).inc()


def webhook_intake(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count each delivery a webhook view answers, by the outcome its JSON answer names."""

    @wraps(view)
    def counted(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            count_webhook("error")
            raise
        count_webhook(webhook_outcome(response))
        return response

    return counted


def webhook_outcome(response: HttpResponse) -> str:
    """`stored`, `duplicate`, or the refusal's machine-readable `code` (`http_<status>`
    when the answer has none)."""
    body = _json_body(response)
    if response.status_code == 200:
        return "duplicate" if body.get("duplicate") else "stored"
    code = body.get("code")
    return code if isinstance(code, str) and code.isidentifier() else f"http_{response.status_code}"


def _json_body(response: HttpResponse) -> dict[str, Any]:
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {}


# Background tasks (django-tasks' signals, connected in CoreConfig.ready) --------------------

_started: dict[str, float] = {}  # task result id -> monotonic start, in the running process


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _started[str(task_result.id)] = time.monotonic()


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    status = str(getattr(task_result.status, "value", task_result.status))
    task = task_name(task_result.task.module_path)
    began = _started.pop(str(task_result.id), None)
    if began is not None:
        TASK_DURATION.labels(task=task, status=status).observe(time.monotonic() - began)
    TASKS_FINISHED.labels(task=task, status=status).inc()


def task_name(module_path: str) -> str:
    """The name a task is registered under (`links.provision_links`), else its module path."""
    from inviteflow.core.enqueue import TASKS

    for name, registered in TASKS.items():
        if registered.module_path == module_path:
            return name
    return module_path


# Exposition ---------------------------------------------------------------------------------


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text format of this machine's counters (every process, dead ones included) and of
    `extra` collectors (scrape-time gauges)."""
    directory = metrics_dir()
    registry = CollectorRegistry()
    for collector in extra:
        registry.register(collector)
    with _locked(directory):
        compact(directory)
        MultiProcessCollector(registry, path=str(directory))
        return generate_latest(registry)


def tidy() -> int:
    """Merge the files of exited processes now (an exposition does it too): for a process
    supervisor's start, so a directory nobody scrapes does not grow with every process."""
    directory = metrics_dir()
    with _locked(directory):
        return compact(directory)


def metrics_dir() -> Path:
    directory = Path(settings.METRICS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def compact(directory: Path) -> int:
    """Merge the files of processes that are gone into one archive per kind; returns how many
    files were merged. Callers hold `_locked(directory)`, so no exposition reads a file twice."""
    merged = 0
    for kind in _KINDS:
        dead = [path for path in _process_files(directory, kind) if not _alive(path)]
        if dead:
            _merge_into_archive(directory / f"{kind}_{_ARCHIVE}.db", dead)
            merged += len(dead)
    return merged


def _process_files(directory: Path, kind: str) -> list[Path]:
    found = glob.glob(str(directory / f"{kind}_*.db"))
    return [Path(path) for path in found if not path.endswith(f"_{_ARCHIVE}.db")]


def _alive(path: Path) -> bool:
    """Whether the process that writes `path` (`counter_<pid>.db`) still runs on this machine."""
    try:
        os.kill(int(path.stem.rsplit("_", 1)[1]), 0)
    except ValueError:
        return True  # not a file of ours: leave it alone
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process of that id
    return True


def _merge_into_archive(archive: Path, dead: list[Path]) -> None:
    """Sum every sample of the archive and the dead files into a new archive, swap it in,
    then delete the dead files (raw samples: histogram buckets add up like counters)."""
    totals: dict[str, float] = defaultdict(float)
    for path in [archive, *dead] if archive.exists() else dead:
        for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(str(path)):
            totals[key] += value
    fresh = archive.with_suffix(".db.new")  # not *.db: no collector reads it half-written
    fresh.unlink(missing_ok=True)
    writer = MmapedDict(str(fresh))
    for key, value in totals.items():
        writer.write_value(key, value, 0.0)
    writer.close()
    os.replace(fresh, archive)
    for path in dead:
        path.unlink(missing_ok=True)


class _locked:
    """An exclusive lock on the directory's lock file: one exposition (and compaction) at a
    time across the machine's processes."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "lock"

    def __enter__(self) -> None:
        self.file = open(self.path, "a")  # noqa: SIM115 — closed in __exit__
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


# Access -------------------------------------------------------------------------------------


def reader_allowed(address: str, forwarded: bool = False) -> bool:
    """Whether METRICS_ALLOWED_IPS lets `address` read the metrics. A request `forwarded` by a
    proxy that is not trusted (TRUSTED_PROXY_COUNT) is refused: `address` is the proxy's, and
    a loopback proxy would otherwise let the whole internet in."""
    if forwarded:
        return False
    try:
        client = ip_address(address)
    except ValueError:
        return False
    if client.version == 6 and client.ipv4_mapped:  # ::ffff:127.0.0.1 on a dual-stack socket
        client = client.ipv4_mapped
    return any(client in network for network in settings.METRICS_ALLOWED_IPS)
