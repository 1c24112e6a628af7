"""Editing a comment before (or after) approving it: fix a typo, keep the original.

Same concurrency rules as decisions: a stale ``If-Match`` fails with 412, and
a decided comment (already public or rejected) needs ``If-Match`` (409 without).
An edit that changes nothing is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from commentgate.access import Principal
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.errors import PreconditionFailedError
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


def edit_comment(
    life: CommentLifecycle, comment_id: str, principal: Principal, wanted: EditRequest
) -> Comment:
    """Apply the edit in the caller's unit of work, keeping the previous text and auditing it.

    Raises:
        NotFoundError: unknown or out of scope.
        ConflictError, PreconditionFailedError: see module rules.
    """
    comment = get_scoped_comment(life.session, comment_id, principal)
    changes = _changes(comment, wanted)
    if changes is None and wanted.if_match in (None, etag_of(comment), "*"):
        return comment
    check_preconditions(life.session, comment, wanted.if_match)
    if changes is None:
        return comment
    if not life.edit(comment, principal.key_id, *changes):
        raise PreconditionFailedError(comment_id)
    return comment
