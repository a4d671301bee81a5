"""Daemon address parsing and the INFOPLANE_ADDRESS override."""

import pytest

from infoplane._address import ADDRESS_ENV, DEFAULT_ADDRESS, parse_address, resolve_address


@pytest.mark.parametrize("text, path", [
    ("/run/infoplane/infoplane.sock", "/run/infoplane/infoplane.sock"),
    ("unix:/tmp/x.sock", "/tmp/x.sock"),
    ("relative.sock", "relative.sock"),
    ("./dir/with:colon", "./dir/with:colon"),
])
def test_unix_paths(text, path):
    address = parse_address(text)
    assert address.is_unix and address.path == path


@pytest.mark.parametrize("text, host, port", [
    ("127.0.0.1:7411", "127.0.0.1", 7411),
    ("localhost:9", "localhost", 9),
    ("tcp://example.org:7411", "example.org", 7411),
    ("[::1]:7411", "::1", 7411),
])
def test_tcp_host_port(text, host, port):
    address = parse_address(text)
    assert not address.is_unix and (address.host, address.port) == (host, port)


@pytest.mark.parametrize("text", ["", "   ", "unix:", "tcp://nohost", "host:70000"])
def test_invalid_addresses_are_refused(text):
    with pytest.raises(ValueError):
        parse_address(text)


def test_default_and_environment_override(monkeypatch):
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    assert resolve_address(None).path == DEFAULT_ADDRESS
    monkeypatch.setenv(ADDRESS_ENV, "127.0.0.1:7500")
    assert (resolve_address(None).host, resolve_address(None).port) == ("127.0.0.1", 7500)
    # An explicit address wins over the environment.
    assert resolve_address("/tmp/explicit.sock").path == "/tmp/explicit.sock"
