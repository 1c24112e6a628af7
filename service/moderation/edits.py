"""Editing a comment before (or after) approving it: fix a typo, keep the original.

Same concurrency rules as decisions: a stale ``If-Match`` fails with 412, and
a decided comment (already public or rejected) needs ``If-Match`` (409 without).
An edit that changes nothing is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction
from commentgate.errors import PreconditionFailedError
from commentgate.storage.audit import record_audit
from commentgate.storage.edits import record_edit
from commentgate.storage.models import Comment
from service.moderation.decisions import check_preconditions, get_scoped_comment
from service.presenters import etag_of


@dataclass(frozen=True)
class EditRequest:
    """New title and/or content (None keeps the current one)."""

    title: str | None = None
    content: str | None = None
    if_match: str | None = None


def _changes(comment: Comment, wanted: EditRequest) -> tuple[str, str] | None:
    title = wanted.title if wanted.title is not None else comment.title
    content = wanted.content if wanted.content is not None else comment.content
    if (title, content) == (comment.title, comment.content):
        return None
    return title, content


def _changed_fields(comment: Comment, changes: tuple[str, str]) -> list[str]:
    pairs = zip(("title", "content"), (comment.title, comment.content), changes, strict=True)
    return [name for name, old, new in pairs if old != new]


def edit_comment(
    session: Session, comment_id: str, principal: Principal, wanted: EditRequest
) -> Comment:
    """Apply the edit, keep the previous text in the history, audit it, commit.

    Raises:
        NotFoundError: unknown or out of scope.
        ConflictError, PreconditionFailedError: see module rules.
    """
    comment = get_scoped_comment(session, comment_id, principal)
    changes = _changes(comment, wanted)
    if changes is None and wanted.if_match in (None, etag_of(comment), "*"):
        return comment
    check_preconditions(session, comment, wanted.if_match)
    if changes is None:
        return comment
    fields = _changed_fields(comment, changes)
    if not record_edit(session, comment, principal.key_id, *changes):
        session.rollback()
        raise PreconditionFailedError(comment_id)
    record_audit(
        session,
        principal.key_id,
        AuditAction.COMMENT_EDIT,
        ("comment", comment.id),
        site_id=comment.site_id,
        detail={"fields": fields},
    )
    session.commit()
    session.refresh(comment)
    return comment
