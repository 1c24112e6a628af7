"""Personal data shown in part: enough to tell authors apart at a glance, not to reach them."""

from __future__ import annotations

import phonenumbers

from commentgate.netaddr import parse_ip

HIDDEN = "***"
_IPV6_SHOWN_GROUPS = 4  # the /64, the block one subscriber picks addresses from


def mask_phone(e164: str | None) -> str | None:
    """``+84 912 *** 678``: the country code, the first and last three digits of the number."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return HIDDEN
    national = str(number.national_number)
    shown = f"{national[:3]} {HIDDEN} {national[-3:]}" if len(national) >= 8 else HIDDEN
    return f"+{number.country_code} {shown}"


def mask_ip(ip: str | None) -> str | None:
    """``203.0.113.x``, or an IPv6 address's /64 with the rest masked (``2001:db8:0:1:x:x:x:x``)."""
    if not ip:
        return None
    address = parse_ip(ip)
    if address is None:
        return "x"
    if address.version == 4:
        return ".".join([*str(address).split(".")[:3], "x"])
    groups = [group.lstrip("0") or "0" for group in address.exploded.split(":")]
    return ":".join(groups[:_IPV6_SHOWN_GROUPS] + ["x"] * (8 - _IPV6_SHOWN_GROUPS))
