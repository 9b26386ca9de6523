"""Which addresses an outgoing webhook may reach: public ones, and what the operator allows
by name or network. No network is used: IP literals need no resolution."""

import pytest

from inviteflow import outbound

REFUSED = [
    "http://127.0.0.1/",
    "http://127.8.9.10/",
    "http://[::1]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
    "http://[fe80::1]/",
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://0.0.0.0/",
    "http://[::]/",
    "http://100.64.0.1/",  # shared address space (carrier NAT)
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[::ffff:192.168.0.1]/",
    "http://[fc00::1]/",  # unique local
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_and_special_addresses_are_refused(url):
    with pytest.raises(outbound.DestinationRefused, match="OUTGOING_WEBHOOKS_ALLOWED_HOSTS"):
        outbound.check_destination(url, outbound.Allowlist())


@pytest.mark.parametrize("url", ["https://8.8.8.8/hook", "http://[2606:4700:4700::1111]:8443/x"])
def test_public_addresses_are_allowed_and_connected_to_as_checked(url):
    destination = outbound.check_destination(url, outbound.Allowlist())
    assert str(destination.address) in url and destination.url.host == str(destination.address)


def test_the_allowlist_takes_networks_and_host_names():
    allowed = outbound.Allowlist.parse(["10.0.0.0/8", "Hooks.Internal.", "::1"])
    assert outbound.check_destination("http://10.9.9.9/", allowed)
    assert outbound.check_destination("http://[::1]/", allowed)
    with pytest.raises(outbound.DestinationRefused):
        outbound.check_destination("http://192.168.0.1/", allowed)
    assert allowed.names == frozenset({"hooks.internal"})


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "http:///x", "nope"])
def test_only_http_urls_with_a_host(url):
    with pytest.raises(outbound.DestinationRefused, match="http"):
        outbound.check_destination(url, outbound.Allowlist())


@pytest.mark.parametrize(
    "host",
    ["localhost", "api.localhost", "printer.local", "sandbox.test", "x.example", "a.internal"],
)
def test_special_use_names_are_refused_without_a_lookup_unless_named(host):
    with pytest.raises(outbound.DestinationRefused, match="special-use name"):
        outbound.check_destination(f"https://{host}/hook", outbound.Allowlist.parse(["0.0.0.0/0"]))
