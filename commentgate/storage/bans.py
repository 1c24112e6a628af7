"""Bans on authors (by phone or IP HMAC) and the comments a ban rejected.

The spam engine asks :func:`find_active_bans` for the authors of the comments it scores; the
moderation API creates, lists and lifts bans through the rest.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from commentgate.domain import BanKind, CommentStatus
from commentgate.storage.models import Ban, BanRejection, Comment, utcnow
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
    ips = [value for value in (ip_hmac, address_hmac) if value]
    bans = find_active_bans(session, [site_id], [phone_hmac] if phone_hmac else [], ips)
    return first_matching_ban(bans, site_id, phone_hmac, ips)


def find_active_bans(
    session: Session,
    site_ids: Collection[str],
    phone_hmacs: Collection[str],
    ip_hmacs: Collection[str],
) -> list[Ban]:
    """Active bans on these sites (or global) of any of these fingerprints, oldest first:
    one query for the authors of a whole batch of comments."""
    matches = []
    if phone_hmacs:
        matches.append(and_(Ban.kind == BanKind.PHONE.value, Ban.value_hmac.in_(phone_hmacs)))
    if ip_hmacs:
        matches.append(and_(Ban.kind == BanKind.IP.value, Ban.value_hmac.in_(ip_hmacs)))
    if not matches or not site_ids:
        return []
    return list(
        session.scalars(
            select(Ban)
            .where(or_(*matches), or_(Ban.site_id.in_(site_ids), Ban.site_id.is_(None)))
            .where(_is_active(utcnow()))
            .order_by(Ban.created_at, Ban.id)
        )
    )


def first_matching_ban(
    bans: Iterable[Ban], site_id: str, phone_hmac: str | None, ip_hmacs: Collection[str]
) -> Ban | None:
    """The first of ``bans`` (as :func:`find_active_bans` orders them) that holds an author
    with these fingerprints on ``site_id``: the query's own condition, for one author."""
    for ban in bans:
        if ban.site_id not in (site_id, None):
            continue
        if ban.kind == BanKind.PHONE.value and phone_hmac and ban.value_hmac == phone_hmac:
            return ban
        if ban.kind == BanKind.IP.value and ban.value_hmac in ip_hmacs:
            return ban
    return None


def add_ban(session: Session, ban: Ban) -> None:
    """Store a new ban, giving it its id."""
    session.add(ban)
    session.flush()


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


def add_rejection(session: Session, ban: Ban, comment: Comment) -> None:
    """Remember how ``comment`` stood before ``ban`` rejected it, to undo it later."""
    session.add(
        BanRejection(
            ban_id=ban.id,
            comment_id=comment.id,
            version=comment.version + 1,
            from_status=comment.status,
            from_decided_at=comment.decided_at,
            from_decided_by=comment.decided_by,
            from_reason=comment.decision_reason,
            from_note=comment.decision_note,
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
