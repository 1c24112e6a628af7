"""Webhook URLs: one reading of them, the same when they are set and when they are used.

A site's admin chooses the URL, and the worker that calls it sits inside the operator's
network: loopback, private and link-local addresses (a cloud's metadata service) are not
theirs to reach, unless ``webhook_private_addresses`` allows them (development, tests).

The URL is read with urllib3's ``parse_url``, the parser requests itself uses, and
whatever two parsers could read differently is refused outright: backslashes, userinfo,
whitespace and control characters. A host that is an IPv4 address in any notation libc
accepts (``127.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``) is read as that
address, as is an IPv6 address that embeds an IPv4 one (``[::ffff:127.0.0.1]``). Names
are resolved only when a delivery is made (``workers.egress``), which then connects to
the address that was checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from commentgate.errors import WebhookUrlError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
# Not allowed unencoded anywhere in a URL (RFC 3986), and read differently by browsers,
# urllib3 and urlsplit (the backslash above all).
_UNSAFE = frozenset('\\"<>^`{|}')
_AUTHORITY = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
# A last label that is a number makes the host an IPv4 address (WHATWG URL, libc).
_NUMBER = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
# IPv6 ranges whose last 32 bits are an IPv4 address a packet may end up at: IPv4-
# compatible, IPv4-mapped, IPv4-translated, and NAT64 (well-known and local-use).
_EMBEDDING = tuple(
    ipaddress.IPv6Network(net)
    for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL as it will be used: each part read once, by one parser."""

    scheme: str
    host: str  # ASCII, lower case, no trailing dot; an IPv6 address without brackets
    port: int
    request_uri: str  # path and query: what goes on the request line
    address: IPAddress | None  # the host, when it is an address rather than a name

    @property
    def host_header(self) -> str:
        """``Host`` as the URL names it: the port only when it is not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL rebuilt from its checked parts (no userinfo, no fragment)."""
        return f"{self.scheme}://{self.host_header}{self.request_uri}"


def parse_webhook_url(url: str) -> WebhookTarget:
    """Read an absolute http(s) URL the way deliveries will; no DNS.

    Raises:
        WebhookUrlError: ``invalid``: unsafe characters, userinfo, another scheme, a
            missing or malformed host, or port 0.
    """
    if any(_is_unsafe(char) for char in url):
        raise WebhookUrlError("invalid")
    try:
        parts = parse_url(url)
    except LocationParseError:
        parts = None
    if parts is None or parts.scheme not in DEFAULT_PORTS or not parts.host:
        raise WebhookUrlError("invalid")
    if _has_userinfo(url) or parts.port == 0:
        raise WebhookUrlError("invalid")
    host, address = _read_host(parts.host)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    return WebhookTarget(parts.scheme, host, port, parts.request_uri, address)


def _is_unsafe(char: str) -> bool:
    return char in _UNSAFE or char.isspace() or unicodedata.category(char) in {"Cc", "Cf"}


def _has_userinfo(url: str) -> bool:
    # parse_url reads an empty userinfo ("http://@host/") as none: look at the authority
    # itself, which (backslashes refused) ends at the first "/", "?" or "#" for any reader.
    authority = _AUTHORITY.match(url)
    return authority is not None and "@" in authority.group(1)


def _read_host(host: str) -> tuple[str, IPAddress | None]:
    """The host in one canonical spelling, and its address when it is one."""
    if host.startswith("["):
        # A zone (``%eth0``) names an interface of the worker: never a public host.
        if "%" in host:
            raise WebhookUrlError("invalid")
        try:
            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise WebhookUrlError("invalid") from None
        return str(address), address
    name = host.removesuffix(".").lower()
    labels = name.split(".")
    if _NUMBER.match(labels[-1]):
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            raise WebhookUrlError("invalid") from None
        return str(address), address
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise WebhookUrlError("invalid")
    return name, None


def is_public(address: IPAddress) -> bool:
    """Whether a packet to ``address`` leaves for the public internet: globally routable
    and unicast, and so is any IPv4 address it embeds (mapped, 6to4, Teredo, NAT64)."""
    return all(a.is_global and not a.is_multicast for a in (address, *_embedded(address)))


def _embedded(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if address.version == 4:
        return []
    found = [address.sixtofour, *(address.teredo or ())]
    if any(address in network for network in _EMBEDDING):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def is_loopback_name(host: str) -> bool:
    """``localhost`` and its subdomains, which resolvers answer with loopback (RFC 6761)."""
    return host == "localhost" or host.endswith(".localhost")


def check_webhook_url(url: str, *, private_ok: bool) -> WebhookTarget:
    """The URL read, with its host refused when it is, as written, a non-public address.

    What registration checks; a delivery also checks what the name resolves to.

    Raises:
        WebhookUrlError: ``invalid`` (see :func:`parse_webhook_url`) or ``not_public``.
    """
    target = parse_webhook_url(url)
    if private_ok:
        return target
    if is_loopback_name(target.host) or (target.address and not is_public(target.address)):
        raise WebhookUrlError("not_public")
    return target


def webhook_url_problem(url: str | None, *, private_ok: bool) -> str | None:
    """Why a stored webhook URL would not be delivered to (a field code), or None."""
    if url is None:
        return None
    try:
        check_webhook_url(url, private_ok=private_ok)
    except WebhookUrlError as exc:
        return exc.reason
    return None
