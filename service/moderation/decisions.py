"""Deciding a comment: approve or reject, with optimistic concurrency.

Rules: a decision on an undecided comment (received, pending, or whatever the
worker scored it) just applies. Repeating the current decision is a no-op.
Changing a decided comment (takedown, un-spam) needs ``If-Match`` with the
current ETag: without it 409, with a stale one 412. The worker's verdict is not
a decision. Every applied decision is audited (by the lifecycle service).
Reopening takes a status (approved, rejected, spam) back to ``pending``; it
always needs ``If-Match``, since it always changes where a comment stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.comments.rulings import Ruling
from commentgate.comments.transitions import DECIDED
from commentgate.domain import CommentStatus, DecisionAction, RejectReason
from commentgate.errors import (
    ConflictError,
    NotDecidedError,
    NotFoundError,
    PreconditionFailedError,
)
from commentgate.storage.comments import find_comment, latest_verdict
from commentgate.storage.models import Comment
from service.presenters import etag_of, moderator_view


@dataclass(frozen=True)
class DecisionRequest:
    """What a moderator asked for."""

    action: DecisionAction
    reason: RejectReason | None = None
    note: str | None = None
    if_match: str | None = None

    def ruling(self) -> Ruling:
        """The decision itself, without the request's precondition."""
        return Ruling(self.action, self.reason, self.note)


def get_scoped_comment(session: Session, comment_id: str, principal: Principal) -> Comment:
    """The comment if the principal's sites include it.

    Raises:
        NotFoundError: unknown, or outside the key's sites (indistinguishable).
    """
    comment = find_comment(session, comment_id, principal.site_ids)
    if comment is None:
        raise NotFoundError(comment_id)
    return comment


def check_preconditions(session: Session, comment: Comment, if_match: str | None) -> None:
    """A stale ``If-Match`` fails; changing a decided comment needs one.

    Raises:
        PreconditionFailedError: ``If-Match`` names another version.
        ConflictError: the comment is decided and no ``If-Match`` came (carries it).
    """
    current = etag_of(comment)
    if if_match is not None and if_match not in (current, "*"):
        raise PreconditionFailedError(current, headers={"ETag": current})
    if comment.decided_at is not None and if_match is None:
        view = moderator_view(comment, latest_verdict(session, comment.id))
        raise ConflictError(current, current=view, headers={"ETag": current})


def apply_decision(
    life: CommentLifecycle, comment: Comment, principal: Principal, wanted: DecisionRequest
) -> None:
    """Apply ``wanted`` in the caller's unit of work; a repeat writes nothing.

    Raises:
        ConflictError, PreconditionFailedError: see module rules.
    """
    ruling = wanted.ruling()
    if not (ruling.repeats(comment) and wanted.if_match in (None, etag_of(comment), "*")):
        check_preconditions(life.session, comment, wanted.if_match)
    if not life.decide(comment, ruling, principal.key_id):
        raise PreconditionFailedError(comment.id)  # decided between our read and our write


def decide(
    life: CommentLifecycle, comment_id: str, principal: Principal, wanted: DecisionRequest
) -> Comment:
    """Apply ``wanted`` to the comment and return it as it now stands (not committed).

    Raises:
        NotFoundError, ConflictError, PreconditionFailedError: see module rules.
    """
    comment = get_scoped_comment(life.session, comment_id, principal)
    apply_decision(life, comment, principal, wanted)
    return comment


def reopen(
    life: CommentLifecycle, comment_id: str, principal: Principal, if_match: str | None
) -> Comment:
    """Move a decided comment back to ``pending`` and return it (not committed).

    Raises:
        NotFoundError: see module rules.
        NotDecidedError: the comment is received or pending (carries it).
        ConflictError: no ``If-Match`` came (carries the comment).
        PreconditionFailedError: ``If-Match`` names another version, or someone changed
            the comment between our read and our write.
    """
    comment = get_scoped_comment(life.session, comment_id, principal)
    current = etag_of(comment)
    if if_match is not None and if_match not in (current, "*"):
        raise PreconditionFailedError(current, headers={"ETag": current})
    if CommentStatus(comment.status) not in DECIDED or if_match is None:
        view = moderator_view(comment, latest_verdict(life.session, comment.id))
        error = ConflictError if CommentStatus(comment.status) in DECIDED else NotDecidedError
        raise error(current, current=view, headers={"ETag": current})
    if not life.reopen(comment, principal.key_id):
        raise PreconditionFailedError(comment.id)
    return comment
