"""Author fingerprints: HMACs of phone numbers and IP addresses.

Bans and "everything this author sent" need to find an author again without
keeping a readable list of numbers and addresses: the ban stores only the HMAC
(keyed with the installation's secret) of the normalised value, and comments
carry the same HMACs from intake on.

An IP fingerprint is that of the client's group (:func:`client_group`: an IPv4
address, an IPv6 /64). Bans and comments stored before IPv6 addresses were
grouped hold the HMAC of the full IPv6 address instead; :func:`address_fingerprint`
gives that older form so such bans keep matching their address.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

from sqlalchemy.orm import Session

from commentgate.config import Settings
from commentgate.domain import BanKind
from commentgate.netaddr import canonical_ip, client_group
from commentgate.phone import normalize_phone
from commentgate.sealing import reveal_phone
from commentgate.storage.comments import unfingerprinted


class AuthorFingerprints(NamedTuple):
    """The HMACs of a comment's phone and IP (None where the comment has none)."""

    phone_hmac: str | None
    ip_hmac: str | None


def normalize_value(kind: BanKind, raw: str) -> str | None:
    """A phone as E.164 or an IP as its client group; None when it is not one."""
    return normalize_phone(raw) if kind is BanKind.PHONE else client_group(raw)


def fingerprint(secret: bytes, kind: BanKind, normalized: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised value; the kind keeps them apart."""
    message = f"{kind.value}:{normalized}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def author_fingerprints(
    settings: Settings, phone: str | None, ip: str | None
) -> AuthorFingerprints:
    """The fingerprints of an author, from the phone (any format) and the IP."""
    return normalized_fingerprints(settings, normalize_phone(phone) if phone else None, ip)


def normalized_fingerprints(
    settings: Settings, e164: str | None, ip: str | None
) -> AuthorFingerprints:
    """The fingerprints of an author whose phone is E.164 already (as a checked form
    holds it: parsing it again is a tenth of a millisecond per comment)."""
    # Any other form would give another fingerprint, one no ban of the number matches.
    assert e164 is None or e164.startswith("+"), "not E.164"
    secret = settings.resolved_secret_key()
    ip_norm = client_group(ip) if ip else None
    return AuthorFingerprints(
        fingerprint(secret, BanKind.PHONE, e164) if e164 else None,
        fingerprint(secret, BanKind.IP, ip_norm) if ip_norm else None,
    )


def address_fingerprint(secret: bytes, ip: str | None) -> str | None:
    """The HMAC of the full address where it differs from the group's (IPv6), else None.

    IP bans made before IPv6 grouping hold this form; matching it too keeps them
    working until they expire or are lifted.
    """
    full = canonical_ip(ip) if ip else None
    if full is None or full == client_group(full):
        return None
    return fingerprint(secret, BanKind.IP, full)


def backfill_fingerprints(session: Session, settings: Settings, batch: int = 1000) -> int:
    """Fingerprint comments stored before fingerprints existed; returns how many."""
    done = 0
    while rows := unfingerprinted(session, batch):
        for comment in rows:
            phone = reveal_phone(settings, comment)
            prints = author_fingerprints(settings, phone, comment.ip)
            # "" marks a value that cannot be read (no ban can match it) so it is not retried.
            if comment.phone_sealed is not None:
                comment.phone_hmac = prints.phone_hmac or ""
            if comment.ip is not None:
                comment.ip_hmac = prints.ip_hmac or ""
        session.flush()
        done += len(rows)
    return done
