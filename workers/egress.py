"""Reaching a webhook's host: resolve its name once, check the address, connect to it.

Checking a name and then letting the HTTP client resolve it again would let a name
that answers differently the second time (DNS rebinding) send the request inside the
operator's network. So the address that was checked is pinned: the connection goes to
it, while ``Host``, TLS SNI and certificate verification still use the URL's name.
Proxies from the environment are not used (they would resolve the name themselves).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

from commentgate.errors import WebhookUrlError
from commentgate.webhook_url import IPAddress, WebhookTarget, is_public

# A name and port to the addresses they resolve to, as text ("93.184.216.34", "::1").
Resolver = Callable[[str, int], Iterable[str]]


class UnresolvedError(RuntimeError):
    """The webhook's host name did not resolve (perhaps for now)."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for ``host``."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in found]


def pin_address(target: WebhookTarget, resolver: Resolver, *, private_ok: bool) -> IPAddress:
    """The one address a delivery connects to: the URL's own, or the name's first answer.

    Every answer must be public (unless ``private_ok``): one private answer among public
    ones is how a name reaches inside while looking harmless.

    Raises:
        WebhookUrlError: ``not_public``: an answer is not a public address.
        UnresolvedError: the name has no address, or resolving failed.
    """
    found = [target.address] if target.address is not None else _resolve(target, resolver)
    # An IPv4-mapped address is that IPv4 address: connect over IPv4, as was checked.
    answers = [getattr(a, "ipv4_mapped", None) or a for a in found]
    if not private_ok and not all(is_public(address) for address in answers):
        raise WebhookUrlError("not_public")
    return answers[0]


def _resolve(target: WebhookTarget, resolver: Resolver) -> list[IPAddress]:
    try:
        answers = [ipaddress.ip_address(text) for text in resolver(target.host, target.port)]
    except (OSError, UnicodeError, ValueError):
        answers = []
    if not answers:
        raise UnresolvedError("no address")
    return answers


class PinnedAdapter(HTTPAdapter):
    """Sends every request of its session to one address, whatever the URL's host."""

    def __init__(self, target: WebhookTarget, address: IPAddress) -> None:
        super().__init__(max_retries=0)
        self._pool = _pool(target, address)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        """The pinned pool; ``send`` then applies ``verify`` to it as to any pool."""
        return self._pool

    def close(self) -> None:
        """Close the pinned pool's connections too."""
        self._pool.close()
        super().close()


def _pool(target: WebhookTarget, address: IPAddress) -> HTTPConnectionPool:
    if target.scheme == "http":
        return HTTPConnectionPool(str(address), target.port, maxsize=1)
    # TLS speaks to the name: SNI and the certificate check use it, not the address.
    return HTTPSConnectionPool(
        str(address),
        target.port,
        maxsize=1,
        server_hostname=target.host,
        assert_hostname=target.host,
    )


def pinned_session(target: WebhookTarget, address: IPAddress) -> requests.Session:
    """A session whose requests all connect to ``address``; close it after use."""
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    adapter = PinnedAdapter(target, address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
