"""Moderators' edits of comments, with the text as it was before each one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.storage.models import Comment, CommentEdit


def add_edit(session: Session, comment: Comment, key_id: str | None, at: datetime) -> None:
    """Keep the comment's text as it is now, before an edit replaces it."""
    session.add(
        CommentEdit(
            comment_id=comment.id,
            key_id=key_id,
            title=comment.title,
            content=comment.content,
            created_at=at,
        )
    )


def list_edits(session: Session, comment_id: str) -> list[CommentEdit]:
    """A comment's edits, oldest first (the first holds the reader's original)."""
    return list(
        session.scalars(
            select(CommentEdit).where(CommentEdit.comment_id == comment_id).order_by(CommentEdit.id)
        )
    )
