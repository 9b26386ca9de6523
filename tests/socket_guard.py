"""Tests stay on this machine: a socket may connect only to loopback or a Unix socket.

Patched for the whole session, in this process (subprocesses, Chromium and C libraries
that open their own sockets, such as libpq, are not covered):

- `socket.socket.connect`, `connect_ex` and `sendto` refuse any address that is not
  127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) or "localhost", and any family but
  AF_INET, AF_INET6 and AF_UNIX. They check before the real call: nothing is sent.
- `socket.getaddrinfo`, which `socket.create_connection`, urllib3, httpx, redis and
  asyncio use to resolve names, refuses a hostname other than "localhost" before the
  lookup, so no DNS query leaves either. IP literals pass (resolving them asks nobody;
  binding a server to 0.0.0.0 needs it); connecting to them is checked as above.

A refusal raises OutsideNetworkError, not an OSError, so that code retrying or reporting
connection failures does not mistake it for an unreachable server.
"""

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

LOCAL_NAMES = {"localhost", "localhost."}


class OutsideNetworkError(RuntimeError):
    """A test tried to reach something other than this machine."""


def _host(host: Any) -> str:
    return host.decode() if isinstance(host, bytes) else str(host)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%")[0])  # without an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return None


def is_loopback(host: Any) -> bool:
    name = _host(host)
    if name.lower() in LOCAL_NAMES:
        return True
    ip = _ip(name)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip is not None and ip.is_loopback


def check_address(family: int, address: Any) -> None:
    """Raise unless `address` (as given to connect or sendto) is on this machine."""
    if family == socket.AF_UNIX:
        return
    if family in (socket.AF_INET, socket.AF_INET6) and is_loopback(address[0]):
        return
    raise OutsideNetworkError(
        f"tests may only connect to loopback or Unix sockets; refused {address!r}"
    )


def check_name(host: Any) -> None:
    """Raise for a name that would need DNS; an IP literal or "localhost" passes."""
    name = "" if host is None else _host(host)
    if name and name.lower() not in LOCAL_NAMES and _ip(name) is None:
        raise OutsideNetworkError(f"tests may not resolve hostnames; refused {host!r}")


@pytest.fixture(autouse=True, scope="session")
def no_outside_network() -> Iterator[None]:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        check_address(self.family, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check_address(self.family, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *flags_and_address: Any) -> int:
        check_address(self.family, flags_and_address[-1])
        return real_sendto(self, data, *flags_and_address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check_name(host)
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket.socket, "sendto", sendto)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield
