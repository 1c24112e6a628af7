"""Banned authors: a comment from one is spam, whatever its text says."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.fingerprint import address_fingerprint
from commentgate.storage.bans import find_active_ban
from commentgate.storage.models import Comment
from workers.scoring.types import Reason, ReasonCode

BANNED_WEIGHT = 10.0  # far over any site's spam threshold


def ban_reasons(session: Session, comment: Comment, secret: bytes) -> list[Reason]:
    """The ``banned`` reason when an active ban matches the author, else nothing."""
    ban = find_active_ban(
        session,
        comment.site_id,
        comment.phone_hmac,
        comment.ip_hmac,
        address_hmac=address_fingerprint(secret, comment.ip),
    )
    if ban is None:
        return []
    return [Reason(ReasonCode.BANNED, BANNED_WEIGHT, f"author banned ({ban.kind})")]
