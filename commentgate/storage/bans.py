"""Bans on authors (by phone or IP HMAC) and the comments a ban rejected.

The spam engine asks :func:`find_active_ban` for every comment it scores; the
moderation API creates, lists and lifts bans through the rest.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from commentgate.domain import BanKind, CommentStatus, DecisionAction, RejectReason
from commentgate.storage.comments import update_if_unchanged
from commentgate.storage.events import note_status_change
from commentgate.storage.models import Ban, BanRejection, Comment, Decision, utcnow
from commentgate.storage.pagination import Page, paginate

# A ban's sweep over past comments stops here; a bigger flood is a job for ops.
MAX_BAN_REJECTIONS = 5000
# Statuses a ban's sweep moves to spam: anything still visible or undecided.
SWEPT_STATUSES = (
    CommentStatus.RECEIVED.value,
    CommentStatus.PENDING.value,
    CommentStatus.APPROVED.value,
)


def _is_active(now: datetime) -> ColumnElement[bool]:
    return and_(Ban.lifted_at.is_(None), or_(Ban.expires_at.is_(None), Ban.expires_at > now))


def find_active_ban(
    session: Session,
    site_id: str,
    phone_hmac: str | None,
    ip_hmac: str | None,
    *,
    address_hmac: str | None = None,
) -> Ban | None:
    """The oldest active ban (on this site or global) matching any fingerprint.

    ``address_hmac`` is the full IPv6 address's fingerprint, the form IP bans
    had before addresses were grouped by /64 (see :mod:`commentgate.fingerprint`).
    """
    matches = []
    if phone_hmac:
        matches.append(and_(Ban.kind == BanKind.PHONE.value, Ban.value_hmac == phone_hmac))
    if ip_values := [value for value in (ip_hmac, address_hmac) if value]:
        matches.append(and_(Ban.kind == BanKind.IP.value, Ban.value_hmac.in_(ip_values)))
    if not matches:
        return None
    return session.scalar(
        select(Ban)
        .where(or_(*matches), or_(Ban.site_id == site_id, Ban.site_id.is_(None)))
        .where(_is_active(utcnow()))
        .order_by(Ban.created_at, Ban.id)
        .limit(1)
    )


def find_ban(session: Session, ban_id: str) -> Ban | None:
    """The ban with this id, or None."""
    return session.get(Ban, ban_id)


def list_bans(
    session: Session,
    site_ids: Collection[str] | None,
    active: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[Ban]:
    """Bans on the given sites (None: all, global ones included), newest first."""
    query = select(Ban)
    if site_ids is not None:
        query = query.where(Ban.site_id.in_(site_ids))
    if active is not None:
        is_active = _is_active(utcnow())
        query = query.where(is_active if active else ~is_active)
    return paginate(session, query, Ban, cursor=cursor, limit=limit, newest_first=True)


def authored_since(session: Session, ban: Ban, since: datetime) -> list[Comment]:
    """The banned author's comments since ``since`` that a sweep would reject."""
    column = Comment.phone_hmac if ban.kind == BanKind.PHONE.value else Comment.ip_hmac
    query = select(Comment).where(
        column == ban.value_hmac,
        Comment.created_at >= since,
        Comment.status.in_(SWEPT_STATUSES),
    )
    if ban.site_id is not None:
        query = query.where(Comment.site_id == ban.site_id)
    return list(session.scalars(query.order_by(Comment.created_at).limit(MAX_BAN_REJECTIONS)))


def reject_for_ban(session: Session, ban: Ban, comment: Comment, key_id: str | None) -> bool:
    """Mark ``comment`` spam because of ``ban``, remembering how to undo it.

    Returns False when the comment changed since it was read.
    """
    now = utcnow()
    changes = {
        "status": CommentStatus.SPAM.value,
        "decided_at": now,
        "decided_by": key_id,
        "decision_reason": RejectReason.SPAM.value,
        "decision_note": None,
    }
    if not update_if_unchanged(session, comment.id, comment.version, **changes):
        return False
    session.add(_rejection(ban, comment))
    _log_decision(session, comment, key_id, DecisionAction.BAN, CommentStatus.SPAM.value, now)
    note_status_change(session, comment, comment.status, CommentStatus.SPAM.value)
    return True


def _rejection(ban: Ban, comment: Comment) -> BanRejection:
    return BanRejection(
        ban_id=ban.id,
        comment_id=comment.id,
        version=comment.version + 1,
        from_status=comment.status,
        from_decided_at=comment.decided_at,
        from_decided_by=comment.decided_by,
        from_reason=comment.decision_reason,
        from_note=comment.decision_note,
    )


def _log_decision(
    session: Session,
    comment: Comment,
    key_id: str | None,
    action: DecisionAction,
    to_status: str,
    now: datetime,
    from_status: str | None = None,
) -> None:
    # decisions.key_id is required; a ban made from the CLI has no key to name.
    if key_id is None:
        return
    session.add(
        Decision(
            comment_id=comment.id,
            key_id=key_id,
            action=action.value,
            reason=RejectReason.SPAM.value if action is DecisionAction.BAN else None,
            note=None,
            from_status=from_status or comment.status,
            to_status=to_status,
            created_at=now,
        )
    )


def pending_rejections(session: Session, ban_id: str) -> list[BanRejection]:
    """The comments a ban rejected and that were not restored yet."""
    return list(
        session.scalars(
            select(BanRejection)
            .where(BanRejection.ban_id == ban_id, BanRejection.restored_at.is_(None))
            .order_by(BanRejection.comment_id)
        )
    )


def count_rejections(session: Session, ban_ids: Collection[str]) -> dict[str, int]:
    """How many comments each ban rejected (0 for none), in one query for a whole page."""
    if not ban_ids:
        return {}
    rows = session.execute(
        select(BanRejection.ban_id, func.count())
        .where(BanRejection.ban_id.in_(ban_ids))
        .group_by(BanRejection.ban_id)
    )
    counts = dict.fromkeys(ban_ids, 0)
    counts.update({ban_id: n for ban_id, n in rows})
    return counts


def restore_rejection(session: Session, rejection: BanRejection, key_id: str | None) -> bool:
    """Put a comment back as it was before the ban, if nobody touched it since.

    Returns False (and leaves it) when the comment changed after the ban.
    """
    now = utcnow()
    changes = {
        "status": rejection.from_status,
        "decided_at": rejection.from_decided_at,
        "decided_by": rejection.from_decided_by,
        "decision_reason": rejection.from_reason,
        "decision_note": rejection.from_note,
    }
    if not update_if_unchanged(session, rejection.comment_id, rejection.version, **changes):
        return False
    rejection.restored_at = now
    comment = session.get(Comment, rejection.comment_id)
    assert comment is not None  # the UPDATE above just matched it
    spam = CommentStatus.SPAM.value
    _log_decision(
        session, comment, key_id, DecisionAction.RESTORE, rejection.from_status, now, spam
    )
    note_status_change(session, comment, spam, rejection.from_status)
    return True
