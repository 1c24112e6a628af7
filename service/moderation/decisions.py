"""Deciding a comment: approve or reject, with optimistic concurrency.

Rules: a decision on an undecided comment (received, pending, or whatever the
worker scored it) just applies. Repeating the current decision is a no-op.
Changing a decided comment (takedown, un-spam) needs ``If-Match`` with the
current ETag: without it 409, with a stale one 412. The worker's verdict is not
a decision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from rq import Queue
from sqlalchemy.orm import Session

from commentgate.domain import CommentStatus, DecisionAction, RejectReason
from commentgate.errors import ConflictError, NotFoundError, PreconditionFailedError
from commentgate.queue import enqueue_learning
from commentgate.storage.comments import find_comment, latest_verdict, record_decision
from commentgate.storage.models import Comment
from service.http.auth import Principal
from service.ops.decision_metrics import observe_decision
from service.presenters import etag_of, moderator_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DecisionRequest:
    """What a moderator asked for."""

    action: DecisionAction
    reason: RejectReason | None = None
    note: str | None = None
    if_match: str | None = None

    def target_status(self) -> CommentStatus:
        if self.action is DecisionAction.APPROVE:
            return CommentStatus.APPROVED
        return (self.reason or RejectReason.OTHER).status()

    def reason_code(self) -> str | None:
        if self.action is DecisionAction.APPROVE:
            return None
        return (self.reason or RejectReason.OTHER).value


def get_scoped_comment(session: Session, comment_id: str, principal: Principal) -> Comment:
    """The comment if the principal's sites include it.

    Raises:
        NotFoundError: unknown, or outside the key's sites (indistinguishable).
    """
    comment = find_comment(session, comment_id, principal.site_ids)
    if comment is None:
        raise NotFoundError(comment_id)
    return comment


def _is_repeat(comment: Comment, wanted: DecisionRequest) -> bool:
    return (
        comment.decided_at is not None
        and comment.status == wanted.target_status().value
        and comment.decision_reason == wanted.reason_code()
    )


def _check_preconditions(session: Session, comment: Comment, wanted: DecisionRequest) -> None:
    current = etag_of(comment)
    if wanted.if_match is not None and wanted.if_match not in (current, "*"):
        raise PreconditionFailedError(current, headers={"ETag": current})
    if comment.decided_at is not None and wanted.if_match is None:
        view = moderator_view(comment, latest_verdict(session, comment.id))
        raise ConflictError(current, current=view, headers={"ETag": current})


def decide(
    session: Session, comment_id: str, principal: Principal, wanted: DecisionRequest
) -> Comment:
    """Apply ``wanted`` to the comment and return it as it now stands.

    Raises:
        NotFoundError, ConflictError, PreconditionFailedError: see module rules.
    """
    comment = get_scoped_comment(session, comment_id, principal)
    if _is_repeat(comment, wanted) and wanted.if_match in (None, etag_of(comment), "*"):
        return comment
    _check_preconditions(session, comment, wanted)
    first_decision = comment.decided_at is None
    applied = record_decision(
        session,
        comment,
        key_id=principal.key_id,
        action=wanted.action.value,
        to_status=wanted.target_status(),
        reason=wanted.reason_code(),
        note=wanted.note,
    )
    if not applied:  # someone decided between our read and our write
        session.rollback()
        raise PreconditionFailedError(comment_id)
    session.commit()
    session.refresh(comment)
    observe_decision(comment, latest_verdict(session, comment.id), wanted.action, first_decision)
    return comment


def queue_learning(queue: Queue, site_id: str) -> None:
    """Ask the workers to learn from the site's new decisions.

    Best effort: if Redis refuses, the next decision's job (or a rebuild) learns
    this one too, because learning reads the decision log, not the queue.
    """
    try:
        enqueue_learning(queue, site_id)
    except redis.RedisError as exc:
        log.warning("could not queue learning for site %s: %s", site_id, exc)
