"""The one place inviteflow makes outbound HTTP clients.

Why a chokepoint: every call leaving the installation gets explicit connect/read/write/pool
timeouts (httpx's defaults are not a decision), and tests swap the network for an in-process
transport (`MockTransport`, `WSGITransport`) through one argument. Nothing else in inviteflow
imports httpx (ruff's banned-api rule TID251 enforces it), so the exception types callers must
tell apart are re-exported here rather than imported from httpx.

httpx logs every request's full URL at INFO; query strings can carry credentials (TikTok's
`/tto/oauth2/tcm/` takes the app secret as a query parameter), so that log keeps the path only.
"""

import logging
from typing import Any

import httpx

USER_AGENT = "inviteflow/0.1"

Transport = httpx.BaseTransport
Response = httpx.Response
TransportError = httpx.TransportError
TimeoutException = httpx.TimeoutException
# Failures that happen before any byte of the request reached the server.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class _DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True


def _without_query(arg: Any) -> Any:
    return arg.copy_with(query=None) if isinstance(arg, httpx.URL) and arg.query else arg


logging.getLogger("httpx").addFilter(_DropQueryStrings())


def http_client(
    *,
    base_url: str,
    timeout: float,
    connect_timeout: float | None = None,
    transport: Transport | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An httpx.Client whose every phase is bounded; connect/pool default to min(timeout, 5 s)."""
    connect = connect_timeout if connect_timeout is not None else min(timeout, 5.0)
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(connect=connect, read=timeout, write=timeout, pool=connect),
        transport=transport,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=False,
    )


class RecordingTransport(httpx.BaseTransport):
    """Sends requests on and keeps every exchange (`inviteflow tiktok doctor` saves them)."""

    def __init__(self, inner: Transport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response

    def close(self) -> None:
        self.inner.close()
