"""The session-wide socket guard (tests/socket_guard.py): loopback only, no DNS."""

import socket
from collections.abc import Iterator

import pytest

from tests.socket_guard import OutsideNetworkError

OUTSIDE = ("10.255.255.1", 9)  # not routed anywhere: a real connect would hang, not fail


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server
    server.close()


@pytest.mark.parametrize("method", ["connect", "connect_ex"])
def test_an_outside_address_is_refused_before_anything_is_sent(method: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(OutsideNetworkError, match=r"10\.255\.255\.1"):
            getattr(sock, method)(OUTSIDE)
        with pytest.raises(OSError):
            sock.getpeername()  # never connected


def test_udp_to_an_outside_address_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(OutsideNetworkError, match=r"10\.255\.255\.1"):
            sock.sendto(b"x", OUTSIDE)


@pytest.mark.parametrize("host", ["example.com", "10.255.255.1"])
def test_create_connection_refuses_hostnames_and_outside_addresses(host: str) -> None:
    with pytest.raises(OutsideNetworkError, match=host.replace(".", r"\.")):
        socket.create_connection((host, 80), timeout=2)


def test_a_hostname_is_refused_without_a_dns_lookup() -> None:
    with pytest.raises(OutsideNetworkError, match="example.com"):
        socket.getaddrinfo("example.com", 443)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connects(listener: socket.socket, host: str) -> None:
    port = listener.getsockname()[1]
    with socket.create_connection((host, port), timeout=2) as sock:
        accepted, _ = listener.accept()
        accepted.close()
        assert sock.getpeername()[0] == "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) == 0


def test_unix_sockets_connect(tmp_path) -> None:
    path = str(tmp_path / "guard.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
