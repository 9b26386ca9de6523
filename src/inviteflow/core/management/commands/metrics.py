"""`inviteflow metrics --port N`: serve this machine's metrics where no web app runs.

A machine that runs only task workers (and maybe the scheduler) makes TikTok calls and runs
jobs, but has no `/metrics`: this command serves the same exposition, read from the same
directory (PROMETHEUS_MULTIPROC_DIR) its workers count into, at http://BIND:PORT/metrics,
to the addresses METRICS_ALLOWED_IPS allows. `--once` prints it instead (a cron job, node
exporter's textfile collector, a quick look).
"""

from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from prometheus_client import CONTENT_TYPE_LATEST

from inviteflow.core import metrics, status

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Command(BaseCommand):
    help = "Serve this machine's Prometheus metrics (for machines without the web app)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=9108, help="default: 9108")
        parser.add_argument(
            "--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument("--once", action="store_true", help="print the metrics and exit")

    def handle(self, *args, port: int, bind: str, once: bool, **options):
        if once:
            self.stdout.write(exposition().decode(), ending="")
            return
        server = make_server(bind, port, metrics_app, handler_class=QuietHandler)
        self.stdout.write(f"metrics of this machine on http://{bind}:{server.server_port}/metrics")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def exposition() -> bytes:
    close_old_connections()  # a long-lived server: drop a connection the database closed
    return metrics.exposition([status.InstallationCollector()])


def metrics_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """GET /metrics for allowed addresses; 403 for others, 404 for any other path."""
    if environ.get("PATH_INFO") not in ("/metrics", "/"):
        return _plain(start_response, "404 Not Found", b"only /metrics here\n")
    if not metrics.reader_allowed(environ.get("REMOTE_ADDR", "")):
        return _plain(start_response, "403 Forbidden", b"not in METRICS_ALLOWED_IPS\n")
    body = exposition()
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [body]


def _plain(start_response: StartResponse, status_line: str, body: bytes) -> list[bytes]:
    start_response(status_line, [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


class QuietHandler(WSGIRequestHandler):
    """Scrapes every 15 s would fill the log."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — the base's name
        pass
