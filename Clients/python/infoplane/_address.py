"""Where the daemon listens: a Unix socket path or a TCP host:port."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from typing import Optional, Tuple, Union

#: The daemon's default Unix socket (infoplaned's `[ingest] socket`).
DEFAULT_ADDRESS = "/run/infoplane/infoplane.sock"

#: Environment variable that replaces the default address.
ADDRESS_ENV = "INFOPLANE_ADDRESS"

_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+)):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class Address:
    """A parsed daemon address: `path` for a Unix socket, or `host` and `port` for TCP."""

    path: Optional[str] = None
    host: Optional[str] = None
    port: Optional[int] = None

    @property
    def is_unix(self) -> bool:
        return self.path is not None

    @property
    def family(self) -> int:
        if self.is_unix:
            return socket.AF_UNIX
        return socket.AF_INET6 if ":" in (self.host or "") else socket.AF_INET

    @property
    def sockaddr(self) -> Union[str, Tuple[str, int]]:
        return self.path if self.is_unix else (self.host, self.port)

    def __str__(self) -> str:
        if self.is_unix:
            return f"unix:{self.path}"
        host = f"[{self.host}]" if ":" in (self.host or "") else self.host
        return f"{host}:{self.port}"


def parse_address(text: str) -> Address:
    """Parses `unix:/path`, `/path` (anything with a slash), `tcp://host:port` or `host:port`.

    A bare `host:port` means TCP; IPv6 hosts go in brackets (`[::1]:7411`).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("the daemon address is empty; give a Unix socket path or host:port")
    text = text.strip()
    if text.startswith("unix:"):
        path = text[len("unix:"):]
        if not path:
            raise ValueError("'unix:' needs a socket path after it, e.g. unix:/run/infoplane/infoplane.sock")
        return Address(path=path)
    explicit_tcp = text.startswith("tcp://")
    if explicit_tcp:
        text = text[len("tcp://"):]
    match = _HOST_PORT.match(text)
    if match:
        port = int(match.group("port"))
        if not 0 < port < 65536:
            raise ValueError(f"port {port} in daemon address {text!r} is out of range 1-65535")
        return Address(host=match.group("v6") or match.group("host"), port=port)
    if explicit_tcp:
        raise ValueError(f"daemon address tcp://{text} is not host:port")
    return Address(path=text)


def resolve_address(explicit: Optional[str]) -> Address:
    """The address to use: `explicit` if given, else $INFOPLANE_ADDRESS, else the default socket."""
    if explicit is not None:
        return parse_address(explicit)
    return parse_address(os.environ.get(ADDRESS_ENV) or DEFAULT_ADDRESS)
