"""Moderators' edits of comments, with the text as it was before each one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus, EventType
from commentgate.links import has_link
from commentgate.storage.comments import update_if_unchanged
from commentgate.storage.events import record_event
from commentgate.storage.models import Comment, CommentEdit, utcnow


def record_edit(
    session: Session, comment: Comment, key_id: str | None, title: str, content: str
) -> bool:
    """Change the text if the comment is still at the version read, keeping the old one.

    Returns False when someone changed the comment first (optimistic locking).
    """
    now = utcnow()
    changes = {
        "title": title,
        "content": content,
        "has_link": has_link(title, content),
        "edited_at": now,
    }
    if not update_if_unchanged(session, comment.id, comment.version, **changes):
        return False
    session.add(
        CommentEdit(
            comment_id=comment.id,
            key_id=key_id,
            title=comment.title,
            content=comment.content,
            created_at=now,
        )
    )
    if comment.status == CommentStatus.APPROVED.value:
        record_event(session, comment, EventType.EDITED)
    return True


def list_edits(session: Session, comment_id: str) -> list[CommentEdit]:
    """A comment's edits, oldest first (the first holds the reader's original)."""
    return list(
        session.scalars(
            select(CommentEdit).where(CommentEdit.comment_id == comment_id).order_by(CommentEdit.id)
        )
    )
