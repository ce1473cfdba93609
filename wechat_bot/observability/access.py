"""Who may read metrics: a client address in `[metrics] allow`, or a request bearing
`[metrics] token`. Anyone else is told the page does not exist.

The client address is the connection's peer, unless that peer is one of
`[metrics] trusted_proxies` (nginx): then X-Forwarded-For is read from the right, skipping our own
proxies, and the first address they did not add is the client. A header from anyone else is
ignored, so a client cannot claim to be 127.0.0.1. Werkzeug's ProxyFix, if the app is ever
wrapped in it, rewrites REMOTE_ADDR; the peer it saw is read back from what it keeps.
"""

from __future__ import annotations

import hmac
import ipaddress

from wechat_bot.config import MetricsSection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(values: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return mapped or address


class MetricsAccess:
    def __init__(self, section: MetricsSection) -> None:
        self._allow = _networks(section.allow)
        self._proxies = _networks(section.trusted_proxies)
        self._token = section.token.encode()

    def allows(self, environ: dict) -> bool:
        """Whether the request in `environ` (WSGI) may read metrics."""
        if self._token:
            offered = environ.get("HTTP_AUTHORIZATION", "")
            scheme, _, credential = offered.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(credential.strip().encode(),
                                                                  self._token):
                return True
        client = self.client_address(environ)
        return client is not None and any(client in network for network in self._allow)

    def client_address(self, environ: dict):
        original = environ.get("werkzeug.proxy_fix.orig") or {}
        peer = _address(original.get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or "")
        if peer is None or not self._trusted(peer):
            return peer
        hops = [hop for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None  # a hop we cannot read: trust none of what lies beyond it
            if not self._trusted(address):
                return address
        return peer if not hops else None

    def _trusted(self, address) -> bool:
        return any(address in network for network in self._proxies)
