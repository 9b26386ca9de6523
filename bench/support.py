"""Shared set-up for benchmarks: a throwaway inviteflow database and a sandbox on loopback.

Benchmarks are scripts, not tests: each prints figures and ratios measured side by side
in one run (timings on shared machines are noisy; ratios are what to compare).
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def setup_django(database_url: str | None = None) -> Path:
    """Point inviteflow at a fresh temporary var dir (and SQLite unless a URL is given)."""
    var = Path(tempfile.mkdtemp(prefix="inviteflow-bench-"))
    os.environ["INVITEFLOW_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inviteflow.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    if database_url:  # a clean schema on the shared server
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    return var


def start_sandbox(var: Path, **knobs: object):
    """The TikTok sandbox on a free loopback port; inviteflow's settings point at it."""
    from django.conf import settings
    from werkzeug.serving import make_server

    from tiktok_sandbox.app import create_app
    from tiktok_sandbox.config import SandboxConfig

    app = create_app(str(var / "sandbox.sqlite3"), SandboxConfig(**knobs))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.port}"
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_APP_ID = app.runtime.config.app_id
    settings.TIKTOK_APP_SECRET = app.runtime.config.app_secret
    return url, app, server


def connect_demo_workspace(slug: str = "bench"):
    from tests.sandbox_fixtures import ACCESS_TOKEN, ACCOUNT_ID

    from inviteflow.accounts.services import create_workspace
    from inviteflow.tiktok.connections import connect_with_token

    workspace = create_workspace(slug, slug.title())
    connect_with_token(workspace, ACCOUNT_ID, ACCESS_TOKEN)
    return workspace


def median_ms(fn: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(title: str, rows: list[tuple[str, object]]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
