"""`inviteflow run` (what `make run` calls): check the ports, migrate, seed the demo, start every
process and keep them running until asked to stop.

Children, each in a session (so a process group) of its own: the web app (gunicorn, configured in
inviteflow.core.gunicorn_conf), a task worker, the scheduler and — unless TIKTOK_API_BASE_URL
points elsewhere — the TikTok sandbox. The README's "What `make run` runs" says the same for users.

- Start-up: a taken PORT or SANDBOX_PORT ends it before anything starts, naming the port, the
  process holding it when /proc tells, and the variable to change. A child that exits before
  everything answers ends it too, with that child's last lines. Exit status 1.
- Healing: a child that dies later — the web app included, as a web app that is down is what
  the supervisor exists to prevent — is restarted after 1 s, then 2 s, 4 s … at most 30 s;
  a child that stayed up a minute starts again from 1 s.
- Stopping (Ctrl-C, SIGTERM, SIGHUP): web first, then worker and scheduler, the sandbox last
  (the worker may still be calling it). Each gets SIGTERM and STOP_GRACE_S to end, then what
  is left of its session gets SIGKILL. A second Ctrl-C skips the waiting. Exit status 0.
"""

import errno
import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from inviteflow.core import gunicorn_conf
from inviteflow.env import ConfigError, env_int, env_str
from inviteflow.outbound import http_client

SANDBOX_APP_ID = "7000000000000000001"
SANDBOX_APP_SECRET = "sandbox-app-secret-not-for-production-use"

STARTUP_TIMEOUT_S = 60.0  # a cold, busy laptop boots gunicorn in well under this
SETTLE_S = 2.0  # a worker or scheduler still up after this has got past its start-up
STOP_GRACE_S = gunicorn_conf.graceful_timeout + 5.0  # never shorter than gunicorn's own
STOP_ORDER = (("web",), ("worker", "scheduler"), ("sandbox",))
BACKOFF_FIRST_S, BACKOFF_MAX_S, STABLE_AFTER_S = 1.0, 30.0, 60.0
TAIL_LINES = 20
POLL_S = 0.2


def _answers(base_url: str, path: str) -> bool:
    """GET answers 200. Asked only once the port takes connections: an HTTP client costs
    tens of milliseconds of CPU to make, a refused connection next to nothing."""
    address = urlsplit(base_url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=2).close()
        with http_client(base_url=base_url, timeout=2) as http:
            return http.get(path).status_code == 200
    except Exception:
        return False


class Child:
    """One supervised process: in a session of its own (so that it can be ended whole, and a
    terminal's Ctrl-C reaches only the supervisor), its stderr echoed and its last lines kept."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], ready: Callable[["Child"], bool]
    ):
        self.name, self.argv, self.env, self._ready = name, argv, env, ready
        self.process: subprocess.Popen | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.started_at = 0.0
        self.is_ready = False
        self.restart_at: float | None = None
        self._short_runs = 0  # ended before STABLE_AFTER_S, in a row: the backoff's exponent
        self._echo: threading.Thread | None = None

    def start(self) -> None:
        self.restart_at, self.is_ready = None, False
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.argv, env=self.env, stderr=subprocess.PIPE, start_new_session=True
        )
        self._echo = threading.Thread(target=self._echo_lines, args=(self.process.stderr,))
        self._echo.daemon = True
        self._echo.start()

    def _echo_lines(self, pipe: IO[bytes]) -> None:
        with pipe:
            for line in iter(pipe.readline, b""):
                self.tail.append(line.decode(errors="replace").rstrip())
                try:
                    sys.stderr.buffer.write(line)
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass  # our terminal is gone: keep draining so the child never blocks

    @property
    def alive(self) -> bool:
        """Started and not yet finished (it may have exited since: see has_exited)."""
        return self.process is not None

    def has_exited(self) -> bool:
        """Without reaping it, where the platform can: until finish() the pid (and so the
        process group id) cannot be reused, which makes finish()'s killpg safe."""
        assert self.process is not None
        if hasattr(os, "waitid"):
            try:
                flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
                return os.waitid(os.P_PID, self.process.pid, flags) is not None
            except ChildProcessError:
                return True
        return self.process.poll() is not None

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def ready(self) -> bool:
        self.is_ready = self.is_ready or self._ready(self)
        return self.is_ready

    def terminate(self) -> None:
        """SIGTERM to the child itself, which stops its own children (gunicorn its workers)."""
        if self.process is not None and not self.has_exited():
            os.kill(self.process.pid, signal.SIGTERM)

    def finish(self) -> int:
        """SIGKILL what is left of its process group, and of its session where /proc tells
        (a descendant may have made a group of its own, as an RQ work horse does), then
        collect the exit status."""
        assert self.process is not None
        pid = self.process.pid
        _kill(os.killpg, pid)
        for member in session_members(pid):
            _kill(os.kill, member)
        status = self.process.wait()
        if self._echo is not None:
            self._echo.join(timeout=2)  # the last lines, now that no one holds the pipe
        self.process = None
        return status

    def schedule_restart(self) -> float:
        if self.uptime >= STABLE_AFTER_S:
            self._short_runs = 0
        delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2**self._short_runs)
        self._short_runs += 1
        self.restart_at = time.monotonic() + delay
        return delay

    def last_lines(self) -> str:
        return "\n".join(f"  {line}" for line in self.tail) or "  (it printed nothing)"


def _kill(send: Callable[[int, int], None], pid: int) -> None:
    try:
        send(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # gone already


def session_members(session: int) -> list[int]:
    """Pids of the processes in `session`, from /proc (none where there is no /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)"
        except OSError:
            continue
        if int(fields[3]) == session:
            members.append(int(stat.parent.name))
    return members


def exit_status(code: int) -> str:
    if code < 0:
        try:
            return f"{code} ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return str(code)


def port_problem(host: str, port: int, variable: str) -> str | None:
    """Why gunicorn (or the sandbox) could not listen on host:port, or None when it can.
    Bound as they bind, with SO_REUSEADDR, so the previous run's TIME_WAIT does not count."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return None
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            return f"cannot listen on {host}:{port} ({variable}): {error.strerror or error}"
    holder = port_holder(port)
    return (
        f"port {port} ({variable}) is already in use"
        + (f" by {holder}" if holder else " by another process")
        + f": stop it, or set {variable} to a free port"
    )


def port_holder(port: int) -> str | None:
    """`pid 123 (its command line)` of a process listening on TCP `port`, where /proc tells
    (Linux, and processes we may look at); None otherwise."""
    sockets = _listening_sockets(port)
    if not sockets:
        return None
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) in sockets for fd in (proc / "fd").iterdir()):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                return f"pid {proc.name} ({command[:120]})"
        except OSError:
            continue
    return None


def _listening_sockets(port: int) -> set[str]:
    """`socket:[inode]` of every socket listening on `port` (/proc/net/tcp's LISTEN is 0A)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{fields[9]}]")
    return found


def _local_url(host: str, port: int) -> str:
    """Where this machine reaches a server bound to host:port."""
    if host == "0.0.0.0":
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Migrate, seed the demo workspace and keep web, worker, scheduler and sandbox running."
    requires_system_checks: list[str] = []  # run below, once the ports are known to be free

    def handle(self, *args, **options):
        env = self._child_env()
        self._check_ports(env)
        self.check()
        # No collectstatic: WHITENOISE_USE_FINDERS serves static files from the apps, ahead of
        # anything collected, so collecting (and gzipping every file: a second of CPU) on each
        # start changed nothing. Production collects once, as the README says.
        call_command("migrate", interactive=False, verbosity=0)
        # What is loaded now lives as long as the process: out of the collector's sight, the
        # collection at exit no longer walks it (half a second of CPU on every stop).
        gc.freeze()
        children = self._children(env)
        self._stop_requests = 0
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._request_stop)
        try:
            self._start(children, env)
            if not self._stop_requests:
                url = _local_url(env["HOST"], int(env["PORT"]))
                self._tell(self.style.SUCCESS(f"inviteflow is running on {url}/"))
                self._tell("Press Ctrl-C to stop everything.")
                self._supervise(children)
        finally:
            self._stop_all(children)

    def _request_stop(self, signum, frame) -> None:
        self._stop_requests += 1  # only a flag: the main loop notices within POLL_S

    def _tell(self, message: str) -> None:
        """At once, and never in the way of stopping: a closed terminal (SIGHUP) refuses
        writes, and the children must be stopped all the same."""
        try:
            self.stdout.write(message)
            self.stdout.flush()
        except (OSError, ValueError):
            pass

    def _child_env(self) -> dict[str, str]:
        """Empty values count as unset, as everywhere (a copied .env.example changes nothing)."""
        env = dict(os.environ)
        try:
            env["HOST"] = env_str("HOST", "127.0.0.1")
            env["PORT"] = str(env_int("PORT", 8000))
            env["SANDBOX_PORT"] = str(env_int("SANDBOX_PORT", 8001))
        except ConfigError as error:
            raise CommandError(str(error)) from error
        if not env_str("TIKTOK_API_BASE_URL"):
            env["TIKTOK_API_BASE_URL"] = f"http://127.0.0.1:{env['SANDBOX_PORT']}"
            env["TIKTOK_APP_ID"] = env_str("TIKTOK_APP_ID", SANDBOX_APP_ID)
            env["TIKTOK_APP_SECRET"] = env_str("TIKTOK_APP_SECRET", SANDBOX_APP_SECRET)
            env["INVITEFLOW_RUN_SANDBOX"] = "1"
            # The demo shows linked posts at once; TikTok itself takes about 48 h.
            env.setdefault("SANDBOX_SURFACE_DELAY_HOURS", "0")
        return env

    def _check_ports(self, env: dict[str, str]) -> None:
        wanted = [(env["HOST"], int(env["PORT"]), "PORT")]
        if env.get("INVITEFLOW_RUN_SANDBOX"):
            if env["SANDBOX_PORT"] == env["PORT"]:
                raise CommandError(f"PORT and SANDBOX_PORT are both {env['PORT']}: change one")
            wanted.append(("127.0.0.1", int(env["SANDBOX_PORT"]), "SANDBOX_PORT"))
        problems = [problem for problem in (port_problem(*w) for w in wanted) if problem]
        if problems:
            raise CommandError("\n".join(problems))

    def _children(self, env: dict[str, str]) -> dict[str, Child]:
        """In start order. The worker and scheduler skip Django's system checks: this
        command has run them once already."""
        cli = [sys.executable, "-m", "inviteflow.cli"]
        web_url = _local_url(env["HOST"], int(env["PORT"]))
        web = [sys.executable, "-m", "gunicorn", "--config", "python:inviteflow.core.gunicorn_conf"]
        children = {}
        if env.get("INVITEFLOW_RUN_SANDBOX"):
            children["sandbox"] = Child(
                "sandbox",
                self._sandbox_command(env),
                env,
                lambda _: _answers(env["TIKTOK_API_BASE_URL"], "/sandbox/credentials"),
            )
        children["web"] = Child(
            "web",
            [*web, "inviteflow.wsgi:application"],
            env,
            lambda _: _answers(web_url, "/healthz"),
        )
        for name in ("worker", "scheduler"):
            children[name] = Child(
                name, [*cli, name, "--skip-checks"], env, lambda child: child.uptime >= SETTLE_S
            )
        return children

    def _sandbox_command(self, env: dict[str, str]) -> list[str]:
        """The sandbox's own entry point: `inviteflow sandbox` serves the same app, after a
        Django start-up the sandbox does not need (it never imports inviteflow)."""
        database = str(settings.VAR_DIR / "tiktok_sandbox.sqlite3")
        port = env["SANDBOX_PORT"]
        return [sys.executable, "-m", "tiktok_sandbox", "--port", port, "--db", database]

    def _start(self, children: dict[str, Child], env: dict[str, str]) -> None:
        """Everything at once; the demo is seeded once the sandbox answers (the first seed
        connects the demo workspace to it)."""
        for child in children.values():
            child.start()
        self._wait_until_ready([children[name] for name in ("sandbox",) if name in children])
        if not self._stop_requests:
            self._seed(env)
            self._wait_until_ready(list(children.values()))

    def _wait_until_ready(self, children: list[Child]) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._stop_requests:
            for child in children:
                if child.has_exited():
                    status = exit_status(child.finish())
                    raise CommandError(
                        f"{child.name} exited with {status} while starting; its last lines:\n"
                        + child.last_lines()
                    )
            waiting = [child for child in children if not child.ready()]
            if not waiting:
                return
            if time.monotonic() > deadline:
                names = ", ".join(child.name for child in waiting)
                raise CommandError(f"not up after {STARTUP_TIMEOUT_S:g} s: {names}")
            time.sleep(POLL_S)

    def _seed(self, env: dict[str, str]) -> None:
        """The demo workspace; connected to the sandbox when we run it."""
        if env.get("INVITEFLOW_RUN_SANDBOX"):
            with override_settings(
                TIKTOK_API_BASE_URL=env["TIKTOK_API_BASE_URL"],
                TIKTOK_APP_ID=env["TIKTOK_APP_ID"],
                TIKTOK_APP_SECRET=env["TIKTOK_APP_SECRET"],
            ):
                call_command("seed_demo", connect_sandbox=env["TIKTOK_API_BASE_URL"])
        else:
            call_command("seed_demo")

    def _supervise(self, children: dict[str, Child]) -> None:
        """Until a stop is requested: restart, with backoff, any child that ends."""
        while not self._stop_requests:
            for child in children.values():
                if child.restart_at is not None and time.monotonic() >= child.restart_at:
                    self._tell(f"restarting {child.name}")
                    child.start()
                elif child.alive and child.has_exited():
                    status = exit_status(child.finish())
                    delay = child.schedule_restart()
                    self._tell(f"{child.name} exited with {status}; restarting in {delay:g} s")
            time.sleep(POLL_S)

    def _stop_all(self, children: dict[str, Child]) -> None:
        if any(child.alive for child in children.values()):
            self._tell("Stopping… (Ctrl-C again to stop at once)")
        for stage in STOP_ORDER:
            group = [children[name] for name in stage if name in children and children[name].alive]
            for child in group:
                child.terminate()
            deadline = time.monotonic() + STOP_GRACE_S
            while self._stop_requests < 2 and time.monotonic() < deadline:
                if all(child.has_exited() for child in group):
                    break
                time.sleep(0.05)
            for child in group:
                child.finish()
        self._tell("Stopped.")
