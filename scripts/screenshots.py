"""The README's screenshots, taken from the running app: `make screenshots`.

Starts `inviteflow run` (what `make run` runs: migrate, seed the demo, web, worker, scheduler,
sandbox) on free ports with a fresh temporary var dir, logs in with the demo login it prints,
photographs the pages in PAGES with Playwright and Debian's Chromium, and stops the app with
Ctrl-C (SIGINT to its process group).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DESKTOP = (1280, 800)  # width, height: small pictures, not full pages
PHONE = (390, 844)
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60
# Settings that would point the app away from its laptop defaults (SQLite, the database task
# backend, the bundled sandbox, the in-app outbox): the pictures show the demo as `make run`
# shows it on a fresh clone.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "TASKS_BACKEND",
    "EMAIL_URL",
    "SITE_URL",
    "INVITEFLOW_MODE",
    "TIKTOK_API_BASE_URL",
    "TIKTOK_APP_ID",
    "TIKTOK_APP_SECRET",
)


@dataclass(frozen=True)
class Shot:
    """One picture: its file, its alt text in the README, the page ({campaign} is the demo
    campaign's id) and the viewport."""

    file: str
    alt: str
    path: str
    viewport: tuple[int, int] = DESKTOP


PAGES = (
    Shot("overview.png", "The Overview of the demo workspace", "/w/demo/"),
    Shot(
        "campaign-details.png",
        "The demo campaign's details page",
        "/w/demo/campaigns/{campaign}/",
    ),
    Shot(
        "campaign-posts.png",
        "The demo campaign's posts, one published without the link and at risk",
        "/w/demo/posts/campaigns/{campaign}/?sort=counts",  # the post at risk (not counted) first
    ),
    Shot(
        "campaign-report.png",
        "The demo campaign's report",
        "/w/demo/insights/campaigns/{campaign}/",
    ),
    Shot(
        "overview-phone.png",
        "The Overview on a 390 px phone",
        "/w/demo/",
        viewport=PHONE,
    ),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class App:
    """`inviteflow run` in its own process group; its output is kept for the demo login."""

    def __init__(self, var_dir: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.port, sandbox_port = free_port(), free_port()
        while sandbox_port == self.port:
            sandbox_port = free_port()
        env.update(PORT=str(self.port), SANDBOX_PORT=str(sandbox_port), INVITEFLOW_VAR_DIR=var_dir)
        inviteflow = Path(sys.executable).with_name("inviteflow")
        self.process = subprocess.Popen(
            [str(inviteflow), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_running(self) -> tuple[str, str]:
        """The demo login, once `run` says everything answers."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not any("inviteflow is running on" in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("inviteflow run did not start:\n" + "\n".join(self.lines[-30:]))
            time.sleep(0.2)
        for line in self.lines:
            if match := re.search(r"Demo login: (\S+) / (\S+)", line):
                return match.group(1), match.group(2)
        raise SystemExit("inviteflow run printed no demo login:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        """Ctrl-C, as a person would; killed only if it does not stop in time."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.returncode != 0:
            print("inviteflow run did not stop cleanly:\n" + "\n".join(self.lines[-30:]))


def photograph(url: str, login: tuple[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto("/login/")
        page.fill("input[name=username]", login[0])
        page.fill("input[name=password]", login[1])
        page.click("button[type=submit]")
        page.wait_for_url("**/w/demo/")
        campaign = page.locator("table.overview-campaigns a", has_text="Spring Glow").first
        found = re.search(r"/campaigns/(\d+)/", campaign.get_attribute("href") or "")
        if found is None:
            raise SystemExit("the overview shows no demo campaign")
        campaign_id = found.group(1)
        for shot in PAGES:
            width, height = shot.viewport
            page.set_viewport_size({"width": width, "height": height})
            page.goto(shot.path.format(campaign=campaign_id))
            page.wait_for_load_state("networkidle")
            path = out / shot.file
            page.screenshot(path=str(path), full_page=False)
            written.append(path)
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), type=Path)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="inviteflow-screenshots-") as var_dir:
        app = App(var_dir)
        try:
            login = app.wait_until_running()
            written = photograph(app.url, login, args.out)
        finally:
            app.stop()
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    print(f"{len(written)} screenshots in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
