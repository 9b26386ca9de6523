"""A real SMTP server on loopback (aiosmtpd), started per test that asks for it."""

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.outreach.factories import add_campaign


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """aiosmtpd handler: keeps every accepted message; can refuse recipients, or call
    `on_message(count)` after recording each one (before answering 250)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.on_message = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        if self.on_message is not None:
            self.on_message(len(self.messages))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> list[str]:
        return sorted(m["To"] for m in self.messages)


@pytest.fixture(autouse=True)
def one_smtp_connection(settings):
    """Deliver on the test's own database connection: the in-memory test database is not
    visible to other threads. Several connections are tested in a separate process."""
    settings.OUTREACH_SMTP_CONNECTIONS = 1


@pytest.fixture
def smtp(settings):
    """Start the server and point Django's email at it."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    settings.EMAIL_BACKEND = "inviteflow.mail.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield recorder
    controller.stop()


@pytest.fixture
def campaign(workspace):
    """ "Spring Launch": 1–31 May 2025, 12 video posts each, #springlaunch #ad, active."""
    return add_campaign(workspace)
