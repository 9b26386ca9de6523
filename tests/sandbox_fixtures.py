"""The TikTok sandbox on a loopback port, and a workspace connected to it.

inviteflow talks to it over real HTTP through its own client, exactly as it would
talk to TikTok: only the base URL and the app credentials differ.
"""

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.db import connection
from werkzeug.serving import make_server

from inviteflow.tiktok.models import TikTokConnection
from tests.processes import kill_machine
from tiktok_sandbox.app import SandboxApp, create_app
from tiktok_sandbox.config import SandboxConfig

APP_ID = "7000000000000000001"
APP_SECRET = "sandbox-app-secret-not-for-production-use"
ACCOUNT_ID = "7100000000000000001"
ACCESS_TOKEN = "sandbox-demo-access-token-00000000000001"
LOG_TAIL_LINES = 40
FAST = {"qps": 1000, "qpm": 60000, "surface_delay_hours": 48}
# The sandbox's strict profile (README "Profiles"), merged over FAST. Ask for it with
# `@pytest.mark.parametrize("live_sandbox", [STRICT], indirect=True)`, or with more knobs:
# `[{**STRICT, "invite_link_delay_s": 0.5}]`. Elsewhere: `SandboxConfig(**FAST, **STRICT)`.
STRICT = {"profile": "strict"}


@dataclass
class LiveSandbox:
    url: str
    app: SandboxApp
    control: httpx.Client

    def publish(self, handle: str, invite_link: str | None = None, **fields) -> dict:
        body = {"handle": handle, "invite_link": invite_link, **fields}
        response = self.control.post("/sandbox/publish", json=body)
        response.raise_for_status()
        return response.json()

    def advance(self, hours: float) -> dict:
        return self.control.post("/sandbox/clock", json={"advance_hours": hours}).json()

    def faults(self, **knobs) -> None:
        self.control.put("/sandbox/faults", json=knobs).raise_for_status()

    def stats(self) -> dict:
        return self.control.get("/sandbox/stats").json()

    def calls_to(self, path: str) -> int:
        """Calls the sandbox answered on endpoints ending with `path` (any API version)."""
        endpoints = self.stats()["by_endpoint"]
        return sum(found["total"] for name, found in endpoints.items() if name.endswith(path))

    def clear_stats(self) -> None:
        self.control.delete("/sandbox/stats").raise_for_status()

    def campaigns(self) -> list[dict]:
        return self.control.get("/sandbox/campaigns").json()


@pytest.fixture
def live_sandbox(settings, tmp_path, request) -> Iterator[LiveSandbox]:
    """A fresh sandbox served on 127.0.0.1 for one test; inviteflow's settings point at it.
    Knobs over FAST come from indirect parametrisation (see STRICT); none by default."""
    knobs = getattr(request, "param", None) or {}
    app = create_app(str(tmp_path / "sandbox.sqlite3"), SandboxConfig(**{**FAST, **knobs}))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}"
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_APP_ID, settings.TIKTOK_APP_SECRET = APP_ID, APP_SECRET
    settings.TIKTOK_QPS, settings.TIKTOK_QPM = 1000, 60000
    control = httpx.Client(base_url=url, timeout=30)
    yield LiveSandbox(url, app, control)
    control.close()
    server.shutdown()
    app.close()


@pytest.fixture
def tiktok_connected(live_sandbox, workspace) -> TikTokConnection:
    """The acme workspace connected to the sandbox's demo brand."""
    return TikTokConnection.objects.create(
        workspace=workspace,
        account_id=ACCOUNT_ID,
        access_token=ACCESS_TOKEN,
        account_name="Sandbox Demo Brand",
        country="US",
    )


def database_url_for_processes() -> str:
    """The URL of the database this test runs on, for processes started by the test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(live_sandbox) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real `inviteflow worker` processes on the test database, against the sandbox.
    `start_worker(*options, **env)`; the task backend is the test run's (db, or RQ)."""
    yield from starter(live_sandbox, ["worker", "--interval", "0.2"])


@pytest.fixture
def start_scheduler(live_sandbox) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start a real `inviteflow scheduler` (ticking every second) like `start_worker`."""
    yield from starter(live_sandbox, ["scheduler", "--tick", "1"])


def starter(
    live_sandbox: LiveSandbox, command: list[str]
) -> Iterator[Callable[..., subprocess.Popen]]:
    """A function starting `inviteflow <command> *options` with `**env`; all killed after.
    Each process writes to a log file whose tail is printed at teardown, which pytest shows
    when the test failed (what the worker did is the first thing a failure needs)."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(*options: str, **env: str) -> subprocess.Popen:
        handle, name = tempfile.mkstemp(prefix=f"{command[0]}-", suffix=".log")
        os.close(handle)
        log = Path(name)
        process = spawn(live_sandbox, [*command, *options], env, log)
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        kill_machine(process)  # RQ's work horse and scheduler too, or they outlive the test
        tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        print(f"--- {' '.join(command)} (pid {process.pid}), last lines:", *tail, sep="\n")
        log.unlink()


def spawn(
    live_sandbox: LiveSandbox, command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "TIKTOK_API_BASE_URL": live_sandbox.url,
        "TIKTOK_APP_ID": APP_ID,
        "TIKTOK_APP_SECRET": APP_SECRET,
        "TIKTOK_QPS": "1000",
        "TIKTOK_QPM": "60000",
        **env,
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "inviteflow.cli", *command],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
