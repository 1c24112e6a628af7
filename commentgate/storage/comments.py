"""Reading and writing comments, verdicts and decisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, lazyload, load_only

from commentgate.domain import CommentStatus
from commentgate.storage.db import OneStatement
from commentgate.storage.models import Comment, Decision, Verdict
from commentgate.storage.pagination import Page, paginate


def find_comment(
    session: Session, comment_id: str, site_ids: Collection[str] | None = None
) -> Comment | None:
    """The comment, if it exists and belongs to one of ``site_ids`` (None = any site)."""
    comment = session.get(Comment, comment_id)
    if comment is None or (site_ids is not None and comment.site_id not in site_ids):
        return None
    return comment


# One statement, its values given at execution: SQLAlchemy caches its compiled form by the
# columns given, rather than computing a cache key over the values of a new statement.
_INSERT = insert(Comment.__table__)
NewComment = dict[str, Any]  # a new comment's column values, by column name


def insert_comment(session: Session | OneStatement, values: NewComment) -> None:
    """Store a new comment with one INSERT of ``values`` (the columns' defaults fill in the
    rest). No ORM object is made: on intake's path its bookkeeping costs more than the
    statement (bench/README.md)."""
    session.execute(_INSERT, values)


def load_comments(session: Session, comment_ids: Collection[str]) -> list[Comment]:
    """Load comments into the session in one query: while the caller holds the list,
    ``find_comment`` finds them there without a query of its own."""
    return list(session.scalars(select(Comment).where(Comment.id.in_(comment_ids))))


def list_approved(
    session: Session, site_id: str, article: str, cursor: str | None, limit: int
) -> Page[Comment]:
    """Approved comments of one article, oldest first."""
    query = select(Comment).where(
        Comment.site_id == site_id,
        Comment.article == article,
        Comment.status == CommentStatus.APPROVED.value,
    )
    return paginate(session, query, Comment, cursor=cursor, limit=limit, newest_first=False)


def count_approved(session: Session, site_id: str, articles: Sequence[str]) -> dict[str, int]:
    """Approved comments per article; articles without any count 0."""
    rows = session.execute(
        select(Comment.article, func.count())
        .where(
            Comment.site_id == site_id,
            Comment.article.in_(articles),
            Comment.status == CommentStatus.APPROVED.value,
        )
        .group_by(Comment.article)
    )
    counts = dict.fromkeys(articles, 0)
    counts.update({article: n for article, n in rows})
    return counts


def latest_verdict(session: Session, comment_id: str) -> Verdict | None:
    """The worker's most recent verdict on a comment."""
    return session.scalar(
        select(Verdict).where(Verdict.comment_id == comment_id).order_by(Verdict.id.desc()).limit(1)
    )


def latest_verdicts(session: Session, comment_ids: Collection[str]) -> dict[str, Verdict]:
    """Each comment's most recent verdict, in one query; unscored comments are left out.

    A page of the review queue asks for all of its comments at once, so the
    queries a page costs do not grow with its size.
    """
    if not comment_ids:
        return {}
    newest = (
        select(func.max(Verdict.id))
        .where(Verdict.comment_id.in_(comment_ids))
        .group_by(Verdict.comment_id)
    )
    verdicts = session.scalars(select(Verdict).where(Verdict.id.in_(newest)))
    return {verdict.comment_id: verdict for verdict in verdicts}


def stale_received(
    session: Session, before: datetime, *, cursor: str | None = None, limit: int = 500
) -> Page[Comment]:
    """Comments still waiting for a score since before ``before``, oldest first.

    Only ids and creation times are loaded. ``cursor`` continues after a page
    (keyset order, see :mod:`commentgate.storage.pagination`).
    """
    query = (
        select(Comment)
        .options(load_only(Comment.id, Comment.created_at), lazyload(Comment.site))
        .where(Comment.status == CommentStatus.RECEIVED.value, Comment.created_at < before)
    )
    return paginate(session, query, Comment, cursor=cursor, limit=limit, newest_first=False)


# The conditional UPDATEs, built once: the SET clause is the values given at execution, so
# SQLAlchemy finds their compiled form by those columns' names rather than working out the
# cache key of a new statement (and the ORM's bulk-update bookkeeping) for every comment.
_COMMENTS = Comment.__table__
_UPDATE_IF_STATUS = (
    update(_COMMENTS)
    .where(_COMMENTS.c.id == bindparam("where_id"), _COMMENTS.c.status == bindparam("where_status"))
    .values(version=_COMMENTS.c.version + 1)
)
_UPDATE_IF_UNCHANGED = (
    update(_COMMENTS)
    .where(
        _COMMENTS.c.id == bindparam("where_id"), _COMMENTS.c.version == bindparam("where_version")
    )
    .values(version=_COMMENTS.c.version + 1)
)


def update_if_status(session: Session, comment_id: str, current: str, /, **values: Any) -> bool:
    """Set ``values`` (by column name) on the comment and bump its version, if it is still
    in ``current``.

    The conditional UPDATE is what makes a duplicate scoring job harmless.
    """
    params = {**values, "where_id": comment_id, "where_status": current}
    return session.execute(_UPDATE_IF_STATUS, params).rowcount == 1


def add_verdict(session: Session, comment_id: str, **fields: Any) -> None:
    """Append a verdict (score, reasons, model_version, status, created_at)."""
    session.add(Verdict(comment_id=comment_id, **fields))


def reason_codes_text(reasons: list[dict[str, Any]]) -> str:
    """``",links,too_fast,"``: delimited so that ``LIKE '%,code,%'`` matches whole codes."""
    codes = [str(r["code"]) for r in reasons if isinstance(r, dict) and r.get("code")]
    return f",{','.join(codes)}," if codes else ""


def update_if_unchanged(session: Session, comment_id: str, version: int, **values: Any) -> bool:
    """Set ``values`` (by column name) on the comment and bump its version, if it is still
    at ``version``.

    Optimistic locking: returns False when someone changed the comment since it was read.
    """
    params = {**values, "where_id": comment_id, "where_version": version}
    return session.execute(_UPDATE_IF_UNCHANGED, params).rowcount == 1


def add_decision(session: Session, comment_id: str, **fields: Any) -> None:
    """Append a decision (key_id, action, reason, note, from/to status, created_at)."""
    session.add(Decision(comment_id=comment_id, **fields))


def find_comments(session: Session, ids: Collection[str], *, fresh: bool = False) -> list[Comment]:
    """The comments with these ids that exist; ``fresh`` reloads ones already in the session."""
    if not ids:
        return []
    query = select(Comment).where(Comment.id.in_(set(ids)))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return list(session.scalars(query))


def author_histories(
    session: Session,
    site_ids: Collection[str],
    column: InstrumentedAttribute[str | None],
    values: Collection[str],
    statuses: Collection[str],
) -> dict[tuple[str, str], dict[str, int]]:
    """How many comments of each (site, ``column`` value) are in each of ``statuses``: the
    history of a batch's authors in one query."""
    if not values or not site_ids:
        return {}
    rows = session.execute(
        select(Comment.site_id, column, Comment.status, func.count())
        .where(
            Comment.site_id.in_(site_ids),
            column.in_(values),
            Comment.status.in_(statuses),
        )
        .group_by(Comment.site_id, column, Comment.status)
    )
    history: dict[tuple[str, str], dict[str, int]] = {}
    for site_id, value, status, count in rows:
        history.setdefault((site_id, value), {})[status] = count
    return history


def find_site_id(session: Session, comment_id: str) -> str | None:
    """The site of the comment, if it exists."""
    return session.scalar(select(Comment.site_id).where(Comment.id == comment_id))


def unfingerprinted(session: Session, limit: int) -> list[Comment]:
    """Up to ``limit`` comments with a phone or IP but no fingerprint of it yet."""
    missing = or_(
        (Comment.phone_sealed.is_not(None)) & Comment.phone_hmac.is_(None),
        (Comment.ip.is_not(None)) & Comment.ip_hmac.is_(None),
    )
    return list(session.scalars(select(Comment).where(missing).limit(limit)))


def count_sealed_elsewhere(session: Session, current_prefix: str) -> int:
    """How many comments hold a phone sealed under another key than ``current_prefix``'s."""
    return session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.phone_sealed.is_not(None), ~Comment.phone_sealed.startswith(current_prefix))
    )


def sealed_elsewhere(
    session: Session, current_prefix: str, after_id: str, limit: int
) -> list[tuple[str, str]]:
    """(id, phone_sealed) of up to ``limit`` comments after ``after_id`` sealed under
    another key, in id order."""
    rows = session.execute(
        select(Comment.id, Comment.phone_sealed)
        .where(
            Comment.id > after_id,
            Comment.phone_sealed.is_not(None),
            ~Comment.phone_sealed.startswith(current_prefix),
        )
        .order_by(Comment.id)
        .limit(limit)
    )
    return [(comment_id, sealed) for comment_id, sealed in rows]


def replace_sealed_phone(session: Session, comment_id: str, old: str, new: str) -> bool:
    """Swap a comment's sealed phone, unless it changed meanwhile (an erasure)."""
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.phone_sealed == old)
        .values(phone_sealed=new)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
