"""Deciding a comment: approve or reject, with optimistic concurrency.

Rules: a decision on an undecided comment (received, pending, or whatever the
worker scored it) just applies. Repeating the current decision is a no-op.
Changing a decided comment (takedown, un-spam) needs ``If-Match`` with the
current ETag: without it 409, with a stale one 412. The worker's verdict is not
a decision. Every applied decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from commentgate.access import Principal
from commentgate.domain import AuditAction, CommentStatus, DecisionAction, RejectReason
from commentgate.errors import ConflictError, NotFoundError, PreconditionFailedError
from commentgate.storage.audit import record_audit
from commentgate.storage.comments import find_comment, latest_verdict, record_decision
from commentgate.storage.models import Comment
from service.ops.decision_metrics import observe_decision
from service.presenters import etag_of, moderator_view


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

    def audit_action(self) -> AuditAction:
        if self.action is DecisionAction.APPROVE:
            return AuditAction.COMMENT_APPROVE
        return AuditAction.COMMENT_REJECT


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
    session: Session, comment: Comment, principal: Principal, wanted: DecisionRequest
) -> bool:
    """Apply ``wanted`` without committing; False when it was a repeat (nothing written).

    Raises:
        ConflictError, PreconditionFailedError: see module rules.
    """
    if _is_repeat(comment, wanted) and wanted.if_match in (None, etag_of(comment), "*"):
        return False
    check_preconditions(session, comment, wanted.if_match)
    from_status, first_decision = comment.status, comment.decided_at is None
    applied = record_decision(
        session,
        comment,
        key_id=principal.key_id or "",
        action=wanted.action.value,
        to_status=wanted.target_status(),
        reason=wanted.reason_code(),
        note=wanted.note,
    )
    if not applied:  # someone decided between our read and our write
        raise PreconditionFailedError(comment.id)
    record_audit(
        session,
        principal.key_id,
        wanted.audit_action(),
        ("comment", comment.id),
        site_id=comment.site_id,
        reason=wanted.reason_code(),
        detail={"from": from_status, "to": wanted.target_status().value},
    )
    # Counted when written rather than after the caller's commit: only an
    # outage at that very commit could make the count one too many.
    verdict = latest_verdict(session, comment.id)
    observe_decision(
        verdict, wanted.action, wanted.target_status(), comment.scored_at, first_decision
    )
    return True


def decide(
    session: Session, comment_id: str, principal: Principal, wanted: DecisionRequest
) -> Comment:
    """Apply ``wanted`` to the comment, commit, and return it as it now stands.

    Raises:
        NotFoundError, ConflictError, PreconditionFailedError: see module rules.
    """
    comment = get_scoped_comment(session, comment_id, principal)
    try:
        changed = apply_decision(session, comment, principal, wanted)
    except PreconditionFailedError:
        session.rollback()
        raise
    if changed:
        session.commit()
        session.refresh(comment)
    return comment
