"""`inviteflow run` stops cleanly, starts loudly and heals (issues #18 and #16).

The real supervisor starts the real gunicorn, worker, scheduler and sandbox on free ports, with a
var dir of its own; the tests watch the processes through /proc (Linux). They use none of the
suite's databases, so they run once, in the SQLite pass of scripts/test.sh.
"""

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = [sys.executable, "-m", "inviteflow.cli", "run"]
STOPS = 20  # of each kind (issue #18, acceptance 1)

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="watches processes through /proc"),
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="uses no database of the suite: once, in the SQLite pass, is enough",
    ),
]


# -- processes, through /proc ------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    started: str  # clock ticks after boot: tells the process from a later one given its pid


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after "pid (command)": state, ppid, pgrp, session, … starttime at 19."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _table() -> dict[int, list[str]]:
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return {pid: stat for pid in pids if (stat := _stat(pid)) is not None}


def descendants(root: int) -> set[Proc]:
    table = _table()
    children = defaultdict(list)
    for pid, stat in table.items():
        children[int(stat[1])].append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children[todo.pop()]:
            found.add(Proc(child, table[child][19]))
            todo.append(child)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


def still_running(procs: set[Proc], sessions: set[int]) -> list[str]:
    """Those of `procs` still alive (zombies are not), and anything else alive in `sessions`."""
    left = []
    for pid, stat in _table().items():
        seen = Proc(pid, stat[19]) in procs or int(stat[3]) in sessions
        if seen and stat[0] != "Z":
            left.append(f"{pid} {_command(pid)}")
    return left


def children_named(root: int, word: str) -> list[int]:
    return sorted(proc.pid for proc in descendants(root) if word in _command(proc.pid))


# -- ports -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Bindable as gunicorn binds (SO_REUSEADDR: connections in TIME_WAIT do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@functools.cache
def http() -> httpx.Client:
    """One client for every request here: making one costs tens of milliseconds of CPU."""
    return httpx.Client(timeout=10)


def answers(url: str, timeout: float = 2) -> bool:
    try:
        return http().get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def eventually(check: Callable[[], object], within: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return bool(check())


# -- one installation and its supervisor -------------------------------------------------------


@dataclass
class Installation:
    """A var dir and two ports: what `make run` uses on a laptop."""

    var_dir: Path
    port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    api_key: str = ""
    campaign_id: int = 0

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        # Without bytecode written (as in our CI image), each of the ~200 processes started
        # here would compile inviteflow anew: let the first write it, as any laptop would.
        for name in ("DATABASE_URL", "TIKTOK_API_BASE_URL", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        return {
            **env,
            "PORT": str(self.port),
            "SANDBOX_PORT": str(self.sandbox_port),
            "INVITEFLOW_VAR_DIR": str(self.var_dir),
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, **json: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        url = f"{self.web}/api/v1{path}"
        return http().request(method, url, headers=headers, json=json or None)

    def sync(self) -> int:
        """Ask for a sync of the campaign: a task for the worker, which calls the sandbox."""
        return self.api("POST", f"/campaigns/{self.campaign_id}/sync").status_code

    def last_sync(self) -> str | None:
        return self.api("GET", f"/campaigns/{self.campaign_id}/sync").json()["finished_at"]

    def inviteflow(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "inviteflow.cli", *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A var dir after a first `inviteflow run`: migrated, the demo seeded and connected to
    its sandbox (whose database is in there too). Copied for each installation, so that only
    one pays for migrating and seeding. That first run must stop cleanly too."""
    where = tmp_path_factory.mktemp("seeded")
    installation = Installation(where / "var")
    supervisor = Supervisor(installation, where / "run.log")
    supervisor.wait_until_started(within=240)
    sigterm(supervisor)
    assert supervisor.finish() == 0, supervisor.output()
    assert supervisor.leftovers() == [], supervisor.output()
    return installation.var_dir


def installed(where: Path, seeded: Path) -> Installation:
    shutil.copytree(seeded, where)
    return Installation(where)


@pytest.fixture
def installation(tmp_path, seeded) -> Installation:
    return installed(tmp_path / "var", seeded)


class Supervisor:
    """`inviteflow run` in a session of its own, as a terminal would start it; its output
    goes to a file."""

    def __init__(self, installation: Installation, log: Path, **env: str):
        self.log = log
        self.log_start = log.stat().st_size if log.exists() else 0
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                RUN,
                env=installation.env(**env),
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.seen: set[Proc] = set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self.log_start)
            return log.read().decode(errors="replace")

    def watch(self) -> None:
        """Note every process it has started so far (and theirs)."""
        self.seen |= descendants(self.pid)

    def wait_serving(self, installation: Installation, within: float = 120) -> None:
        def serving() -> bool:
            assert self.process.poll() is None, self.output()
            return answers(f"{installation.web}/healthz")

        assert eventually(serving, within, step=0.2), self.output()
        self.watch()

    def wait_until_started(self, within: float = 60) -> None:
        assert eventually(lambda: "Press Ctrl-C" in self.output(), within), self.output()
        self.watch()

    def finish(self, within: float = 60) -> int:
        return self.process.wait(timeout=within)

    def leftovers(self) -> list[str]:
        """What is still alive of what it started: the processes seen, and anything in the
        sessions of its children (such as a process forked after the last look: each child
        has a session of its own)."""
        sessions = {proc.pid for proc in self.seen}
        return still_running(self.seen, sessions)


def ctrl_c(supervisor: Supervisor) -> None:
    """What a terminal does: SIGINT to the foreground process group."""
    os.killpg(supervisor.pid, signal.SIGINT)


def sigterm(supervisor: Supervisor) -> None:
    """SIGTERM to the supervisor alone, as systemd, `kill` or make would send it."""
    os.kill(supervisor.pid, signal.SIGTERM)


# -- acceptance 1: 20 stops by Ctrl-C and 20 by SIGTERM, nothing left each time -----------------


def prepare_background_work(installation: Installation) -> None:
    """An API key and a campaign to sync: each sync is a task the worker runs against the
    sandbox. Checked once to run to its end, so that later rounds stop with real work about."""
    installation.api_key = installation.inviteflow("apikey", "create", "--workspace", "demo")
    installation.api_key = installation.api_key.strip().splitlines()[-1]
    today = str(date.today())
    created = installation.api("POST", "/campaigns", name="Run", starts_on=today, ends_on=today)
    assert created.status_code == 201, created.text
    installation.campaign_id = created.json()["id"]
    assert installation.sync() == 202
    assert eventually(lambda: installation.last_sync() is not None, within=60, step=0.3)


def drive_traffic(installation: Installation) -> None:
    assert answers(f"{installation.web}/healthz")
    assert answers(f"{installation.web}/login/")
    assert answers(f"http://127.0.0.1:{installation.sandbox_port}/sandbox/stats")
    assert installation.sync() == 202


def stop_and_check(
    installation: Installation, log: Path, stop: Callable[[Supervisor], None], rounds: int
) -> None:
    for round_ in range(rounds):
        supervisor = Supervisor(installation, log)
        supervisor.wait_serving(installation)
        if not installation.campaign_id:
            prepare_background_work(installation)
        drive_traffic(installation)
        supervisor.watch()
        stop(supervisor)
        code = supervisor.finish()
        where = f"{stop.__name__}, round {round_ + 1}:\n{supervisor.output()}"
        assert code == 0, where
        assert "restarting in" not in supervisor.output(), where  # no child died on its own
        assert supervisor.leftovers() == [], where
        assert port_is_free(installation.port), where
        assert port_is_free(installation.sandbox_port), where


@pytest.mark.timeout(1800)  # 40 full starts: several minutes on a busy two-core machine
def test_every_stop_ends_every_process_and_frees_the_ports(tmp_path, seeded):
    """Issue #18, acceptance 1. Two installations side by side, one stopped by Ctrl-C and one
    by SIGTERM, each STOPS times: each round starts again on the same var dir (migrate and seed
    have nothing left to do), serves pages, the sandbox and the API, and has just asked for a
    sync (a task for the worker, which calls the sandbox) when it is stopped."""
    kinds = {ctrl_c: "ctrl-c", sigterm: "sigterm"}
    with ThreadPoolExecutor(len(kinds)) as pool:
        rounds = [
            pool.submit(
                stop_and_check,
                installed(tmp_path / name, seeded),
                tmp_path / f"{name}.log",
                stop,
                STOPS,
            )
            for stop, name in kinds.items()
        ]
        for done in rounds:
            done.result()


# -- acceptance 2: a web worker whose master is killed ends on its own -------------------------


def test_a_web_worker_blocked_in_a_request_ends_when_its_master_is_killed(tmp_path):
    """Issue #18, acceptance 2: gunicorn with our configuration and a test app whose /sleep
    blocks its request for a minute (tests/core/sleepy_wsgi.py, so no such page exists in
    inviteflow itself). SIGKILL to the master: the worker ends within 10 s and the port is free."""
    port, inside = free_port(), tmp_path / "inside"
    env = {
        **Installation(tmp_path).env(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "SLEEPY_MARKER": str(inside),
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "python:inviteflow.core.gunicorn_conf"]
    master = subprocess.Popen(
        [*command, "tests.core.sleepy_wsgi:application"],
        env=env,
        cwd=ROOT,
        stderr=(tmp_path / "gunicorn.log").open("wb"),
        start_new_session=True,
    )
    try:
        assert eventually(lambda: answers(f"http://127.0.0.1:{port}/"), within=60)
        [worker] = children_named(master.pid, "gunicorn")
        worker_process = Proc(worker, _stat(worker)[19])
        blocked = threading.Thread(target=answers, args=(f"http://127.0.0.1:{port}/sleep", 70))
        blocked.daemon = True
        blocked.start()
        assert eventually(inside.exists, within=10)  # the request is in the app's hands

        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=10)
        # Both within the 10 s: the port can stay bound a moment after /proc shows the worker
        # gone (a CI run once saw it taken right after).
        gone = lambda: not still_running({worker_process}, set()) and port_is_free(port)  # noqa: E731
        assert eventually(gone, within=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(master.pid, signal.SIGKILL)  # the group outlives its leader: its workers
        master.wait(timeout=10)


# -- acceptance 3: a taken port ends `inviteflow run` at once, saying so ----------------------


@pytest.mark.parametrize("variable", ["PORT", "SANDBOX_PORT"])
def test_a_taken_port_ends_run_at_once_naming_port_holder_and_variable(tmp_path, variable):
    """Issue #18, acceptance 3: a plain listening socket holds the port; `inviteflow run` exits
    non-zero within 10 s, before it migrates anything, naming the port, its holder (us) and
    the variable."""
    installation = Installation(tmp_path / "var")
    taken = installation.port if variable == "PORT" else installation.sandbox_port
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", taken))
        holder.listen()
        started = time.monotonic()
        done = subprocess.run(
            RUN, env=installation.env(), cwd=ROOT, capture_output=True, timeout=10
        )
        took = time.monotonic() - started
    error = done.stderr.decode()
    assert done.returncode != 0, error
    assert took < 10
    assert f"port {taken} ({variable}) is already in use by pid {os.getpid()}" in error
    assert f"set {variable} to a free port" in error
    assert not (installation.var_dir / "inviteflow.sqlite3").exists()  # nothing was started
    assert port_is_free(
        installation.port if variable == "SANDBOX_PORT" else installation.sandbox_port
    )


def test_a_child_failing_to_start_ends_run_with_its_last_lines(installation, tmp_path):
    """The sandbox refuses its configuration: `inviteflow run` exits 1 and says why, in the
    sandbox's own words, and stops what it had started."""
    supervisor = Supervisor(installation, tmp_path / "run.log", SANDBOX_QPS="fast")

    def ended() -> bool:
        supervisor.watch()
        return supervisor.process.poll() is not None

    assert eventually(ended, within=90)
    output = supervisor.output()
    assert supervisor.process.returncode == 1, output
    assert "sandbox exited with 1 while starting; its last lines:" in output
    assert "SANDBOX_QPS: expected int, got 'fast'" in output
    assert len(supervisor.seen) >= 4, output  # sandbox, web, worker and scheduler were started
    assert supervisor.leftovers() == [], output
    assert port_is_free(installation.port) and port_is_free(installation.sandbox_port)


# -- issue #16: `inviteflow run` heals ---------------------------------------------------------


class HealthWatch:
    """GET /healthz every 0.1 s in a thread; every answer that is not a 200 is kept."""

    def __init__(self, url: str):
        self.url, self.failures, self.answers = url, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set():
                try:
                    status = client.get(self.url).status_code
                except httpx.HTTPError as error:
                    status = repr(error)
                self.answers += 1
                if status != 200:
                    self.failures.append(status)
                time.sleep(0.1)

    def __enter__(self) -> "HealthWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def healing(tmp_path_factory, seeded) -> Iterator[tuple[Installation, Supervisor]]:
    """One run for the tests that kill its children; it must still stop cleanly after."""
    where = tmp_path_factory.mktemp("healing")
    installation = installed(where / "var", seeded)
    supervisor = Supervisor(installation, where / "run.log")
    try:
        supervisor.wait_until_started(within=120)
        prepare_background_work(installation)
        yield installation, supervisor
    finally:
        os.kill(supervisor.pid, signal.SIGHUP)  # its terminal closed: the third way to stop it
        assert supervisor.finish() == 0, supervisor.output()
        assert supervisor.leftovers() == [], supervisor.output()


def test_a_killed_worker_is_restarted_while_the_web_app_keeps_serving(healing):
    """Issue #16, acceptance 3: SIGKILL to the task worker; /healthz answers 200 throughout,
    a new worker is there within seconds and runs the next task."""
    installation, running = healing
    [worker] = children_named(running.pid, "inviteflow.cli worker")
    with HealthWatch(f"{installation.web}/healthz") as health:
        os.kill(worker, signal.SIGKILL)

        def replaced() -> bool:
            found = children_named(running.pid, "inviteflow.cli worker")
            return len(found) == 1 and found != [worker]

        assert eventually(replaced, within=10), running.output()
        before = installation.last_sync()
        assert installation.sync() == 202
        assert eventually(lambda: installation.last_sync() != before, within=30, step=0.3)
    assert health.failures == [] and health.answers > 10
    assert "worker exited with -9 (SIGKILL); restarting in 1 s" in running.output()


def test_a_killed_web_app_is_restarted(healing):
    """The web app too: SIGKILL to the gunicorn master takes its workers with it (they die
    with their master), and a new master serves again within seconds."""
    installation, running = healing
    [master] = web_masters(running)
    web = {
        Proc(pid, stat[19])
        for pid in children_named(running.pid, "gunicorn")
        if (stat := _stat(pid))
    }
    os.kill(master, signal.SIGKILL)
    assert eventually(lambda: not still_running(web, set()), within=10), running.output()
    assert eventually(lambda: answers(f"{installation.web}/healthz"), within=30), running.output()
    assert web_masters(running) != [master]
    assert "web exited with -9 (SIGKILL); restarting in 1 s" in running.output()


def web_masters(supervisor: Supervisor) -> list[int]:
    """Gunicorn masters lead their sessions; their workers do not."""
    gunicorns = children_named(supervisor.pid, "gunicorn")
    return [pid for pid in gunicorns if (stat := _stat(pid)) and int(stat[3]) == pid]
