"""Everything stored about one author, found by their phone's fingerprint; and forgetting it.

See :mod:`commentgate.subjects` for what export and erasure mean.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Text, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from commentgate.storage.models import (
    PERSONAL_FIELDS,
    AuditEntry,
    BanRejection,
    Comment,
    CommentEdit,
    CommentEvent,
    Decision,
    Verdict,
)

CONSENT_FIELDS = ("consent_version", "consent_purpose", "consent_at")
_DEPENDENTS = (Verdict, CommentEdit, CommentEvent, BanRejection, Decision)


def comments_of_author(
    session: Session, phone_hmac: str, site_ids: Collection[str] | None = None
) -> list[Comment]:
    """The comments whose phone has this fingerprint, oldest first (on ``site_ids``)."""
    query = select(Comment).where(Comment.phone_hmac == phone_hmac)
    if site_ids is not None:
        query = query.where(Comment.site_id.in_(site_ids))
    return list(session.scalars(query.order_by(Comment.created_at, Comment.id)))


def history_of(session: Session, comment_ids: Sequence[str]) -> dict[str, dict[str, list]]:
    """Each comment's edits, decisions and verdicts, oldest first."""
    history: dict[str, dict[str, list]] = {
        i: {"edits": [], "decisions": [], "verdicts": []} for i in comment_ids
    }
    for table, name in ((CommentEdit, "edits"), (Decision, "decisions"), (Verdict, "verdicts")):
        rows = session.scalars(
            select(table).where(table.comment_id.in_(comment_ids)).order_by(table.id)
        )
        for row in rows:
            history[row.comment_id][name].append(row)
    return history


def was_ever_public(session: Session, comment_id: str) -> bool:
    """Whether readers' caches were ever told of it (it has events)."""
    return bool(session.scalar(select(exists().where(CommentEvent.comment_id == comment_id))))


def delete_comment(session: Session, comment_id: str) -> None:
    """Delete a comment with everything that names it."""
    for table in _DEPENDENTS:
        session.execute(delete(table).where(table.comment_id == comment_id))
    session.execute(delete(Comment).where(Comment.id == comment_id))


def strip_comment(session: Session, comment_id: str, name: str, *, keep_text: bool) -> None:
    """Take the author's data from a comment: phone, IP, user agent, their fingerprints,
    consent and name; without ``keep_text`` also its title, text and their history."""
    values: dict[str, Any] = dict.fromkeys(PERSONAL_FIELDS + CONSENT_FIELDS)
    values["name"] = name
    values["version"] = Comment.version + 1
    if not keep_text:
        values.update(title="", content="", has_link=False, decision_note=None)
        session.execute(delete(CommentEdit).where(CommentEdit.comment_id == comment_id))
        session.execute(update(Decision).where(Decision.comment_id == comment_id).values(note=None))
    session.execute(
        update(Comment)
        .where(Comment.id == comment_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def audit_mentions(session: Session, needles: Collection[str]) -> int:
    """How many audit entries name any of ``needles`` (in target, reason or detail)."""
    needles = [n for n in needles if n]
    if not needles:
        return 0
    detail = cast(AuditEntry.detail, Text)
    matches = [
        or_(AuditEntry.target_id == n, AuditEntry.reason == n, detail.contains(n, autoescape=True))
        for n in needles
    ]
    return session.scalar(select(func.count()).select_from(AuditEntry).where(or_(*matches)))
