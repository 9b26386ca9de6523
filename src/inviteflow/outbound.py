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
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
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


# -- Webhook posts to addresses a workspace chose ----------------------------------------------
# A workspace names the URL, so the server must not become its way into the private network:
# every address the host resolves to is checked, and the connection goes to a checked
# address (the Host header and TLS name stay the host's), so DNS cannot change in between.

IPAddress = IPv4Address | IPv6Address
EXCERPT_CHARS = 500


class DestinationRefused(Exception):
    """The URL cannot be called: a private/reserved address, an unknown host, a bad scheme."""


@dataclass(frozen=True)
class Allowlist:
    """Operator-allowed private targets: host names, and addresses in networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> "Allowlist":
        names, networks = set(), []
        for item in items:
            try:
                networks.append(ip_network(item.strip(), strict=False))
            except ValueError:
                names.add(item.strip().lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, address: IPAddress) -> bool:
        return host.lower().rstrip(".") in self.names or any(address in n for n in self.networks)


def is_public(address: IPAddress) -> bool:
    """Reachable on the internet: not loopback, private, link-local, multicast, reserved,
    unspecified (and an IPv4-mapped IPv6 address is judged by its IPv4 address)."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    special = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    return address.is_global and not special


# Names that are local or never resolve by definition (RFC 6761, 6762, 8375): refused
# without asking DNS.
SPECIAL_USE_DOMAINS = ("localhost", "local", "test", "example", "invalid", "internal", "home.arpa")


def is_special_use(host: str) -> bool:
    name = host.lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in SPECIAL_USE_DOMAINS)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:  # gaierror, or a name IDNA cannot encode
        raise DestinationRefused(f"the host {host!r} cannot be resolved") from exc
    return list(dict.fromkeys(ip_address(str(info[4][0]).split("%")[0]) for info in infos))


@dataclass(frozen=True)
class Destination:
    url: httpx.URL  # with the checked address in place of the host name
    host: str
    address: IPAddress


def check_destination(url: str, allowlist: Allowlist) -> Destination:
    """The address to connect to for `url`, or DestinationRefused saying why."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DestinationRefused("not a valid URL") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DestinationRefused("must be an http:// or https:// URL with a host")
    if parsed.host.lower().rstrip(".") not in allowlist.names and is_special_use(parsed.host):
        raise DestinationRefused(
            f"{parsed.host} is a special-use name, never a public host; an operator can allow "
            "it with OUTGOING_WEBHOOKS_ALLOWED_HOSTS"
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = resolve(parsed.host, port)
    refused = [a for a in addresses if not (is_public(a) or allowlist.allows(parsed.host, a))]
    if refused:
        what = (
            "is" if [parsed.host] == [str(a) for a in addresses] else f"resolves to {refused[0]},"
        )
        raise DestinationRefused(
            f"{parsed.host} {what} a private or reserved address; an operator can allow it "
            "with OUTGOING_WEBHOOKS_ALLOWED_HOSTS"
        )
    return Destination(parsed.copy_with(host=str(addresses[0])), parsed.host, addresses[0])


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    excerpt: str  # the start of the body only: answers are not kept


def post_webhook(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowlist: Allowlist,
    timeout: float,
    transport: Transport | None = None,
) -> WebhookAnswer:
    """POST `body` to `url` once: no redirects followed, every phase bounded by `timeout`.
    Raises DestinationRefused, or TransportError (TimeoutException included)."""
    destination = check_destination(url, allowlist)
    # A fresh connection per post (a pooled one could carry another host's TLS session).
    fresh = transport or httpx.HTTPTransport(verify=_tls_context())
    with http_client(base_url="", timeout=timeout, transport=fresh) as client:
        request = client.build_request(
            "POST",
            destination.url,
            content=body,
            headers={**headers, "Host": _host_header(url), "Content-Type": "application/json"},
            extensions={"sni_hostname": destination.host},
        )
        response = client.send(request, stream=True)
        try:
            return WebhookAnswer(response.status_code, _excerpt(response))
        finally:
            response.close()


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~50 ms: once per process, not once per post."""
    return httpx.create_ssl_context()


def _host_header(url: str) -> str:
    parsed = httpx.URL(url)
    default = {"http": 80, "https": 443}[parsed.scheme]
    host = parsed.raw_host.decode("ascii")
    host = f"[{host}]" if ":" in host else host  # an IPv6 literal
    return host if parsed.port in (None, default) else f"{host}:{parsed.port}"


def _excerpt(response: httpx.Response) -> str:
    """At most EXCERPT_CHARS of the answer, read no further than needed."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_CHARS * 4:  # up to 4 bytes a character in UTF-8
            break
    return b"".join(chunks).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
