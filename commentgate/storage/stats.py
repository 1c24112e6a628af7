"""Counts ops look at: comments by status, and the oldest one still waiting."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus
from commentgate.storage.models import Comment


def count_by_status(session: Session) -> dict[str, int]:
    """Every status with its number of comments (0 for none)."""
    counts = dict.fromkeys((s.value for s in CommentStatus), 0)
    rows = session.execute(select(Comment.status, func.count()).group_by(Comment.status))
    counts.update({status: n for status, n in rows})
    return counts


def oldest_received(session: Session) -> Comment | None:
    """The comment that has waited longest for its verdict, if any is waiting."""
    return session.scalar(
        select(Comment)
        .where(Comment.status == CommentStatus.RECEIVED.value)
        .order_by(Comment.created_at)
        .limit(1)
    )
