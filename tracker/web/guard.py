"""Who may drive the served app: a browser that opened the secret address, from the app's own page.

Any web page open in the supervisor's browser can open a websocket to ``127.0.0.1`` (the browser
sends the page's ``Origin`` but does not block the connection), and a DNS-rebinding page can even
reach the server under a host name of its own. So every request is checked three ways, as Jupyter
does: the ``Host`` header must name this server, a websocket's ``Origin`` must be this server's
own page, and the browser must hold the cookie that only the secret address (printed once when the
server starts) sets. The cookie is ``SameSite=Strict``: a page of another site never sends it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from tracker.domain.errors import InputError

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _host_port(text: str, scheme: str = "http") -> tuple[str, int] | None:
    """``("example.org", 443)`` from a Host header or an origin's authority; None when malformed."""
    try:
        parts = urlsplit(f"//{text}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path or parts.query:
        return None
    return parts.hostname.lower(), port or DEFAULT_PORTS.get(scheme, 80)


def parse_public_url(text: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``--public-url``: the address a reverse proxy serves the app at."""
    parts = urlsplit(text.strip())
    where = _host_port(parts.netloc, parts.scheme) if parts.scheme in DEFAULT_PORTS else None
    if where is None:
        raise InputError(
            "public-url", "must be http:// or https:// followed by a host (and port), e.g. https://tracker.example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError("public-url", "must be the root of a site, without a path: serve the app at the proxy's root")
    return parts.scheme, *where


@dataclass(frozen=True)
class Guard:
    """The server's names, its public address (if proxied) and this start's secret."""

    port: int
    names: frozenset[str]  # host names a Host header may carry with ``port``
    any_ip: bool  # bound to every interface: any IP address of this machine (with ``port``) names it
    public: tuple[str, str, int] | None  # (scheme, host, port) of the proxy's public address
    token: str

    @classmethod
    def for_address(cls, host: str, port: int, public_url: str | None = None, token: str | None = None) -> "Guard":
        host = host.strip().strip("[]").lower()
        names = {host} - WILDCARD
        if host in LOOPBACK or host in WILDCARD:
            names |= LOOPBACK
        if host in WILDCARD:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        return cls(
            port=port,
            names=frozenset(names),
            any_ip=host in WILDCARD,
            public=parse_public_url(public_url) if public_url else None,
            token=token or secrets.token_urlsafe(32),
        )

    @property
    def cookie_name(self) -> str:
        return f"tracker-session-{self.port}"  # cookies ignore ports: two servers on one machine keep theirs apart

    @property
    def secure(self) -> bool:
        return self.public is not None and self.public[0] == "https"

    def base_url(self, host_header: str) -> str:
        """Where the browser reaches the app: the public address, else the Host it used (already checked)."""
        if self.public:
            scheme, name, port = self.public
            shown = f"[{name}]" if ":" in name else name
            return f"{scheme}://{shown}" + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")
        return f"http://{host_header}"

    def start_url(self, bind_host: str) -> str:
        """The address to print: where the browser goes first, with this start's secret."""
        name = bind_host.strip().strip("[]").lower()
        if name in WILDCARD:
            name = socket.getfqdn().lower()
        shown = f"[{name}]" if ":" in name else name
        return f"{self.base_url(f'{shown}:{self.port}')}/?token={self.token}"

    def host_ok(self, host_header: str | None) -> bool:
        text = host_header or ""
        where = _host_port(text)
        if where is None:
            return False
        name, port = where
        if self.public and name == self.public[1]:
            # Through the proxy: a Host without a port means the public scheme's default port.
            return (port if ":" in text.rsplit("]", 1)[-1] else DEFAULT_PORTS[self.public[0]]) == self.public[2]
        return port == self.port and (name in self.names or (self.any_ip and _is_ip(name)))

    def origin_ok(self, origin: str | None, host_header: str | None) -> bool:
        """A websocket may come only from the app's own page: its origin is the public address, or
        ``http://`` and the very host the request was sent to (which ``host_ok`` has vetted)."""
        if not origin or not self.host_ok(host_header):
            return False
        parts = urlsplit(origin)
        where = _host_port(parts.netloc, parts.scheme) if parts.scheme in DEFAULT_PORTS else None
        if where is None:
            return False
        if self.public and (parts.scheme, *where) == self.public:
            return True
        return parts.scheme == "http" and where == _host_port(host_header or "")

    def token_ok(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(str(presented).encode(), self.token.encode())
