"""Outgoing webhook fixtures: a real HTTP receiver on loopback, loopback allowed by setting
(the default refuses it), and the posts app's sandbox world for events from real changes."""

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inviteflow.integrations import services
from tests.outreach.conftest import smtp  # noqa: F401
from tests.posts.conftest import immediate_tasks, posts_sandbox, world  # noqa: F401

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Loopback allowed (by address), and a short timeout so a slow receiver times out fast."""
    settings.OUTGOING_WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.OUTGOING_WEBHOOKS_TIMEOUT_SECONDS = 0.5
    settings.COMPLIANCE_SCAN_CONCURRENCY = 1


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted answer (then 200): a status code, "slow"
    (answers after the sender's timeout) or "redirect" (302 to /elsewhere)."""

    port: int = 0
    script: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def paths(self) -> list[str]:
        return [r.path for r in self.received]

    def types(self) -> list[str]:
        return [r.json["type"] for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.path, dict(self.headers), body))
            answer = receiver.script.pop(0) if receiver.script else 200
            if answer == "slow":
                time.sleep(1.0)
                answer = 200
            if answer == "redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.end_headers()
                return
            reply = b"ok " + b"x" * 2000  # longer than the excerpt kept
            self.send_response(int(answer))
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()


def add_endpoint(workspace, url: str, events: list[str], description: str = ""):
    """An endpoint and its secret, made as the API and the settings page make them."""
    return services.create_endpoint(workspace, url, events, description)


def readme_block(language: str) -> str:
    """The first code block in `language` of the README's "Outgoing webhooks" section."""
    section = README.read_text().split("## Outgoing webhooks", 1)[1].split("\n## ", 1)[0]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def readme_verify():
    """The README's Python `verify(...)`, run as documented."""
    namespace: dict = {}
    exec(readme_block("python"), namespace)
    return namespace["verify"]
