"""IP addresses as commentgate reads them: canonical text, and the group a client counts as.

An IPv6 subscriber is usually given a whole /64 (often more) and can take any
address in it, so a limit or a ban on one IPv6 address binds nobody. Rate
limits, the failure throttle, IP bans and IP fingerprints therefore all key on
:func:`client_group`: an IPv4 address as it is, an IPv6 address as its /64.
"""

from __future__ import annotations

import ipaddress

IPV6_GROUP_PREFIX = 64
_HOST_BITS = 128 - IPV6_GROUP_PREFIX

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(raw: str) -> Address | None:
    """The address ``raw`` names (an IPv4-mapped IPv6 address as its IPv4), or None."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def canonical_ip(raw: str) -> str | None:
    """The canonical text of an IPv4/IPv6 address (IPv4-mapped IPv6 as IPv4), or None."""
    address = parse_ip(raw)
    return None if address is None else str(address)


def client_group(raw: str) -> str | None:
    """What a client counts as: an IPv4 address itself, an IPv6 one its /64; None if no IP."""
    address = parse_ip(raw)
    if address is None:
        return None
    if address.version == 4:
        return str(address)
    network = int(address) >> _HOST_BITS << _HOST_BITS  # drops any scope id too
    return str(ipaddress.IPv6Network((network, IPV6_GROUP_PREFIX)))


def is_loopback_host(host: str) -> bool:
    """Whether a listening host (name or address) reaches this machine only."""
    bare = host.strip().strip("[]")
    if bare.lower() == "localhost":
        return True
    address = parse_ip(bare)
    return address is not None and address.is_loopback
