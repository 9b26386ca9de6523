"""`inviteflow run` (what `make run` calls): migrate, seed the demo, start every process.

Children: the web app (gunicorn), a task worker, the scheduler and — unless
TIKTOK_API_BASE_URL points elsewhere — the TikTok sandbox. Ctrl-C stops them all.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from inviteflow.outbound import http_client


def _answers(base_url: str, path: str) -> bool:
    try:
        with http_client(base_url=base_url, timeout=2) as http:
            return http.get(path).status_code == 200
    except Exception:
        return False


SANDBOX_APP_ID = "7000000000000000001"
SANDBOX_APP_SECRET = "sandbox-app-secret-not-for-production-use"


class Command(BaseCommand):
    help = "Migrate, seed the demo workspace and start web, worker, scheduler and sandbox."

    def handle(self, *args, **options):
        port = int(os.environ.get("PORT", 8000))
        env = self._child_env()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        children: dict[str, subprocess.Popen] = {}
        try:
            if env.get("INVITEFLOW_RUN_SANDBOX"):
                children["sandbox"] = self._start_sandbox(env)
            self._seed(env)
            children.update(self._start_children(port, env))
        except BaseException:
            self._stop_all(children)
            raise
        self.stdout.write(self.style.SUCCESS(f"inviteflow is running on http://127.0.0.1:{port}/"))
        self.stdout.write("Press Ctrl-C to stop everything.")
        self._supervise(children)

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if not os.environ.get("TIKTOK_API_BASE_URL"):
            sandbox_port = os.environ.get("SANDBOX_PORT", "8001")
            env["TIKTOK_API_BASE_URL"] = f"http://127.0.0.1:{sandbox_port}"
            env.setdefault("TIKTOK_APP_ID", SANDBOX_APP_ID)
            env.setdefault("TIKTOK_APP_SECRET", SANDBOX_APP_SECRET)
            env["INVITEFLOW_RUN_SANDBOX"] = "1"
            # The demo shows linked posts at once; TikTok itself takes about 48 h.
            env.setdefault("SANDBOX_SURFACE_DELAY_HOURS", "0")
        return env

    def _commands(self, port: int, env: dict[str, str]) -> dict[str, list[str]]:
        cli = [sys.executable, "-m", "inviteflow.cli"]
        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "inviteflow.wsgi:application",
                "--bind",
                f"{os.environ.get('HOST', '127.0.0.1')}:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "2"),
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            "worker": [*cli, "worker"],
            "scheduler": [*cli, "scheduler"],
        }
        return commands

    def _start_sandbox(self, env: dict[str, str]) -> subprocess.Popen:
        sandbox = subprocess.Popen([sys.executable, "-m", "inviteflow.cli", "sandbox"], env=env)
        url = env["TIKTOK_API_BASE_URL"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _answers(url, "/sandbox/credentials"):
                return sandbox
            if sandbox.poll() is not None:
                break
            time.sleep(0.3)
        sandbox.terminate()
        raise CommandError(f"the TikTok sandbox did not start on {url} (is the port taken?)")

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

    def _start_children(self, port: int, env: dict[str, str]) -> dict[str, subprocess.Popen]:
        return {
            name: subprocess.Popen(command, env=env)
            for name, command in self._commands(port, env).items()
        }

    def _supervise(self, children: dict[str, subprocess.Popen]) -> None:
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping.")
                        raise KeyboardInterrupt
                time.sleep(1)
        except KeyboardInterrupt:
            self._stop_all(children)

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Stopped.")
