"""Banning an author at once, optionally sweeping their recent comments, and undoing it.

A ban names an author by the HMAC of a phone number or IP address, given
directly or taken from one of their comments (an IPv6 address stands for its
/64, see :mod:`commentgate.netaddr`). Without a site it covers every
site the key covers. ``reject_recent_hours`` marks that author's comments of
the last N hours as spam; lifting the ban puts back every such comment that
nobody has touched since (the others are reported as kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.domain import AuditAction, BanKind
from commentgate.errors import FieldError, NotFoundError, ValidationFailedError
from commentgate.fingerprint import fingerprint, normalize_value
from commentgate.registry import get_scoped_site
from commentgate.storage.audit import record_audit
from commentgate.storage.bans import add_ban, authored_since, find_ban, pending_rejections
from commentgate.storage.models import Ban, utcnow
from service.moderation.decisions import get_scoped_comment


@dataclass(frozen=True)
class BanRequest:
    """What a moderator asked for; exactly one of ``value`` and ``comment_id``."""

    kind: BanKind
    value: str | None = None
    comment_id: str | None = None
    site: str | None = None
    reject_recent_hours: int = 0
    duration_hours: int | None = None
    note: str | None = None


@dataclass
class BanOutcome:
    """A ban and the comments the call changed (rejected, restored) or left (kept)."""

    ban: Ban
    rejected: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _fingerprint(session: Session, secret: bytes, principal: Principal, req: BanRequest) -> str:
    if req.comment_id is not None:
        comment = get_scoped_comment(session, req.comment_id, principal)
        value = comment.phone_hmac if req.kind is BanKind.PHONE else comment.ip_hmac
        if value is None:  # that comment has no phone (or no IP) to ban
            raise ValidationFailedError({"kind": FieldError("invalid")})
        return value
    normalized = normalize_value(req.kind, req.value or "")
    if normalized is None:
        code = "phone_invalid" if req.kind is BanKind.PHONE else "invalid"
        raise ValidationFailedError({"value": FieldError(code)})
    return fingerprint(secret, req.kind, normalized)


def _site_id(session: Session, principal: Principal, site_name: str | None) -> str | None:
    if site_name is None:
        return None if principal.site_ids is None else next(iter(principal.site_ids))
    return get_scoped_site(session, principal, site_name).id


def _sweep(life: CommentLifecycle, ban: Ban, hours: int, principal: Principal) -> list[str]:
    since = utcnow() - timedelta(hours=hours)
    return [
        comment.id
        for comment in authored_since(life.session, ban, since)
        if life.reject_for_ban(ban, comment, principal.key_id)
    ]


def _new_ban(session: Session, principal: Principal, req: BanRequest, value_hmac: str) -> Ban:
    now = utcnow()
    return Ban(
        site_id=_site_id(session, principal, req.site),
        kind=req.kind.value,
        value_hmac=value_hmac,
        note=req.note,
        source_comment_id=req.comment_id,
        reject_recent_hours=req.reject_recent_hours,
        created_by=principal.key_id,
        created_at=now,
        expires_at=now + timedelta(hours=req.duration_hours) if req.duration_hours else None,
    )


def create_ban(
    life: CommentLifecycle, secret: bytes, principal: Principal, req: BanRequest
) -> BanOutcome:
    """Store the ban, sweep the author's recent comments if asked, audit (not committed).

    Raises:
        NotFoundError: ``comment_id`` unknown or out of scope.
        UnknownSiteError: ``site`` unknown or out of scope.
        ValidationFailedError: the value is no phone/IP, or the comment has none.
    """
    session = life.session
    ban = _new_ban(session, principal, req, _fingerprint(session, secret, principal, req))
    add_ban(session, ban)
    detail = {"kind": ban.kind, "reject_recent_hours": req.reject_recent_hours}
    record_audit(
        session,
        principal.key_id,
        AuditAction.BAN_CREATE,
        ("ban", ban.id),
        site_id=ban.site_id,
        detail=detail,
    )
    hours = req.reject_recent_hours
    rejected = _sweep(life, ban, hours, principal) if hours else []
    return BanOutcome(ban, rejected=rejected)


def get_scoped_ban(session: Session, ban_id: str, principal: Principal) -> Ban:
    """The ban if the key covers its site (global bans: global keys only).

    Raises:
        NotFoundError: unknown or out of scope.
    """
    ban = find_ban(session, ban_id)
    if ban is None or not principal.covers(ban.site_id):
        raise NotFoundError(ban_id)
    return ban


def lift_ban(
    life: CommentLifecycle, ban_id: str, principal: Principal, *, restore: bool = True
) -> BanOutcome:
    """End the ban and (by default) restore what its sweep rejected; a repeat is a no-op.

    Raises:
        NotFoundError: unknown or out of scope.
    """
    ban = get_scoped_ban(life.session, ban_id, principal)
    if ban.lifted_at is not None:
        return BanOutcome(ban)
    ban.lifted_at, ban.lifted_by = utcnow(), principal.key_id
    outcome = BanOutcome(ban)
    for rejection in pending_rejections(life.session, ban.id) if restore else []:
        restored = life.restore(ban, rejection, principal.key_id)
        (outcome.restored if restored else outcome.kept).append(rejection.comment_id)
    record_audit(
        life.session,
        principal.key_id,
        AuditAction.BAN_LIFT,
        ("ban", ban.id),
        site_id=ban.site_id,
        detail={"restored": len(outcome.restored), "kept": len(outcome.kept)},
    )
    return outcome
