"""Banned authors: a comment from one is spam, whatever its text says."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commentgate.storage.models import Comment
from workers.author_book import AuthorBook
from workers.scoring.types import Reason, ReasonCode

BANNED_WEIGHT = 10.0  # far over any site's spam threshold


def ban_reasons(session: Session, comment: Comment, book: AuthorBook) -> list[Reason]:
    """The ``banned`` reason when an active ban matches the author, else nothing."""
    ban = book.ban(session, comment)
    if ban is None:
        return []
    return [Reason(ReasonCode.BANNED, BANNED_WEIGHT, f"author banned ({ban.kind})")]
