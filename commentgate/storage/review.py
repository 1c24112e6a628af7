"""The review queue: filtered, sorted, paginated comments, and counts per status."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus, ReviewSort
from commentgate.storage.db import escape_like
from commentgate.storage.models import Comment
from commentgate.storage.pagination import Page, SortKey, id_key, paginate_by, time_key

NO_SCORE = -1.0  # unscored comments sort below every real score


@dataclass(frozen=True)
class SameAuthor:
    """The other comments of a comment's author: same phone or IP fingerprint."""

    comment_id: str
    phone_hmac: str | None
    ip_hmac: str | None

    @classmethod
    def of(cls, comment: Comment) -> SameAuthor:
        """The author of ``comment``, as its fingerprints know them."""
        return cls(comment.id, comment.phone_hmac, comment.ip_hmac)

    def condition(self) -> ColumnElement[bool]:
        """Another comment with one of these fingerprints ("" marks an unreadable value)."""
        matches = [
            column == value
            for column, value in (
                (Comment.phone_hmac, self.phone_hmac),
                (Comment.ip_hmac, self.ip_hmac),
            )
            if value
        ]
        return (Comment.id != self.comment_id) & or_(false(), *matches)


@dataclass(frozen=True)
class ReviewFilter:
    """What a moderator narrows the queue to; ``None`` / empty means no condition."""

    site_ids: Collection[str] | None = None
    articles: Collection[str] = ()
    statuses: Collection[str] = ()
    score_min: float | None = None
    score_max: float | None = None
    reason_codes: Collection[str] = ()
    has_link: bool | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    same_author: SameAuthor | None = None


def _conditions(f: ReviewFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.site_ids is not None:
        conditions.append(Comment.site_id.in_(f.site_ids))
    if f.articles:
        conditions.append(Comment.article.in_(f.articles))
    if f.statuses:
        conditions.append(Comment.status.in_(f.statuses))
    if f.score_min is not None:
        conditions.append(Comment.score >= f.score_min)
    if f.score_max is not None:
        conditions.append(Comment.score <= f.score_max)
    if f.reason_codes:
        likes = [
            Comment.reason_codes.like(f"%,{escape_like(c)},%", escape="\\") for c in f.reason_codes
        ]
        conditions.append(or_(*likes))
    if f.has_link is not None:
        conditions.append(Comment.has_link.is_(f.has_link))
    if f.same_author is not None:
        conditions.append(f.same_author.condition())
    return conditions + _text_and_dates(f)


def _text_and_dates(f: ReviewFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.text:
        pattern = f"%{escape_like(f.text)}%"
        conditions.append(
            or_(
                Comment.title.ilike(pattern, escape="\\"),
                Comment.content.ilike(pattern, escape="\\"),
            )
        )
    if f.since is not None:
        conditions.append(Comment.created_at >= f.since)
    if f.until is not None:
        conditions.append(Comment.created_at < f.until)
    return conditions


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("score expected")
    return float(value)


def _sort_keys(sort: ReviewSort) -> list[SortKey]:
    time_and_id = [time_key(Comment.created_at), id_key(Comment.id)]
    if sort is not ReviewSort.SCORE:
        return time_and_id
    score = SortKey(
        func.coalesce(Comment.score, NO_SCORE),
        lambda row: NO_SCORE if row.score is None else row.score,
        _finite,
    )
    return [score, *time_and_id]


def review_query(f: ReviewFilter) -> Select[Any]:
    """The comments matching ``f`` (unordered)."""
    return select(Comment).where(*_conditions(f))


def list_review(
    session: Session, f: ReviewFilter, sort: ReviewSort, cursor: str | None, limit: int
) -> Page[Comment]:
    """One page of the queue; ``score`` sorts the highest score first."""
    return paginate_by(
        session,
        review_query(f),
        _sort_keys(sort),
        cursor=cursor,
        limit=limit,
        descending=sort is not ReviewSort.OLDEST,
    )


def count_by_status(session: Session, f: ReviewFilter) -> dict[str, int]:
    """How many comments match ``f`` in each status (every status present, 0 if none)."""
    rows = session.execute(
        select(Comment.status, func.count()).where(*_conditions(f)).group_by(Comment.status)
    )
    counts = {s.value: 0 for s in CommentStatus}
    counts.update({status: n for status, n in rows})
    return counts


def count_by_site(session: Session, site_ids: Collection[str] | None) -> dict[str, dict[str, int]]:
    """Per site (those in ``site_ids``, or all), how many comments are in each status."""
    query = select(Comment.site_id, Comment.status, func.count()).group_by(
        Comment.site_id, Comment.status
    )
    if site_ids is not None:
        query = query.where(Comment.site_id.in_(site_ids))
    counts: dict[str, dict[str, int]] = {}
    for site_id, status, n in session.execute(query):
        counts.setdefault(site_id, {s.value: 0 for s in CommentStatus})[status] = n
    return counts
