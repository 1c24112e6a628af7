"""What a site's retention period (``retention_days``) takes from its older comments.

A comment keeps what its author wrote to be shown (name, title, text) and what the
moderation record stands on, and loses what was collected only to moderate it:

- every comment past the period loses its author's phone number, IP address and
  user agent, and their fingerprints (the HMACs that bans and reputation match
  authors by). Published discussions stay under their articles, and the decision
  log keeps the text of every decided comment, so a model rebuilt from it is the
  model the site had learned;
- a comment that readers do not see and no moderator's decision names (spam the
  worker caught, or a ban from the command line swept) is deleted with its verdicts:
  nothing reads it again and it teaches the model nothing. Comments still waiting
  for a score or a moderator are only erased, never deleted.

Each batch is one short transaction, so a long backlog never holds many rows locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus
from commentgate.storage.models import (
    PERSONAL_FIELDS,
    BanRejection,
    Comment,
    CommentEdit,
    CommentEvent,
    Decision,
    Site,
    Verdict,
)

# The comments a retention pass has still to deal with; the partial index
# ix_comments_personal_data holds just these, so a pass never reads the ones it is done with.
HOLDS_PERSONAL_DATA = or_(*(getattr(Comment, f).is_not(None) for f in PERSONAL_FIELDS))
_UNSEEN = (CommentStatus.SPAM.value, CommentStatus.REJECTED.value)
_DEPENDENTS = (Verdict, CommentEdit, CommentEvent, BanRejection)


@dataclass(frozen=True)
class Expired:
    """What one batch did: comments deleted, and comments whose personal data was erased."""

    deleted: int = 0
    erased: int = 0

    @property
    def handled(self) -> int:
        return self.deleted + self.erased


def sites_with_retention(session: Session) -> list[tuple[str, str, int]]:
    """(id, name, retention_days) of every site that has a retention period."""
    rows = session.execute(
        select(Site.id, Site.name, Site.retention_days)
        .where(Site.retention_days.is_not(None))
        .order_by(Site.name)
    )
    return [(site_id, name, days) for site_id, name, days in rows]


def expire_comments(session: Session, site_id: str, before: datetime, limit: int) -> Expired:
    """Apply retention to up to ``limit`` of the site's comments created before ``before``."""
    due = list(
        session.scalars(
            select(Comment.id)
            .where(Comment.site_id == site_id, Comment.created_at < before, HOLDS_PERSONAL_DATA)
            .order_by(Comment.created_at)
            .limit(limit)
        )
    )
    if not due:
        return Expired()
    doomed = _forgettable(session, due)
    _delete_comments(session, doomed)
    kept = sorted(set(due) - set(doomed))
    _erase_personal_data(session, kept)
    return Expired(deleted=len(doomed), erased=len(kept))


def _forgettable(session: Session, ids: Sequence[str]) -> list[str]:
    # Locked, so that a moderator deciding one of them meanwhile waits, then finds it
    # gone. Should a decision commit first, the comment's new status or the decision
    # keeps it; the foreign keys refuse the delete if both checks saw it too early.
    decided = exists().where(Decision.comment_id == Comment.id)
    return list(
        session.scalars(
            select(Comment.id)
            .where(Comment.id.in_(ids), Comment.status.in_(_UNSEEN), ~decided)
            .with_for_update()
        )
    )


def _delete_comments(session: Session, ids: Sequence[str]) -> None:
    if not ids:
        return
    for table in _DEPENDENTS:
        session.execute(delete(table).where(table.comment_id.in_(ids)))
    session.execute(delete(Comment).where(Comment.id.in_(ids)))


def _erase_personal_data(session: Session, ids: Sequence[str]) -> None:
    # The version stays: nothing a moderator decides on changed, and a lifted ban can
    # still put the comment back as it was.
    if ids:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(ids))
            .values(dict.fromkeys(PERSONAL_FIELDS))
            .execution_options(synchronize_session=False)
        )


def reduce_ips(session: Session, before: datetime, limit: int) -> int:
    """Drop the raw IP of up to ``limit`` comments created before ``before``, keeping its
    fingerprint (bans and reputation still match it); returns how many."""
    due = list(
        session.scalars(
            select(Comment.id)
            .where(Comment.ip.is_not(None), Comment.created_at < before)
            .limit(limit)
        )
    )
    if due:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(due))
            .values(ip=None)
            .execution_options(synchronize_session=False)
        )
    return len(due)
