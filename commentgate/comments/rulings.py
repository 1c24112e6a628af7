"""What a moderator decides about one comment, and what that means for its status."""

from __future__ import annotations

from dataclasses import dataclass

from commentgate.domain import AuditAction, CommentStatus, DecisionAction, RejectReason
from commentgate.storage.models import Comment


@dataclass(frozen=True)
class Ruling:
    """Approve, or reject for a reason (none given: ``other``), with an optional note."""

    action: DecisionAction
    reason: RejectReason | None = None
    note: str | None = None

    def target_status(self) -> CommentStatus:
        """The status the comment ends in."""
        if self.action is DecisionAction.APPROVE:
            return CommentStatus.APPROVED
        return (self.reason or RejectReason.OTHER).status()

    def reason_code(self) -> str | None:
        """The reason stored with the decision (None for an approval)."""
        if self.action is DecisionAction.APPROVE:
            return None
        return (self.reason or RejectReason.OTHER).value

    def audit_action(self) -> AuditAction:
        """How the audit log names it."""
        if self.action is DecisionAction.APPROVE:
            return AuditAction.COMMENT_APPROVE
        return AuditAction.COMMENT_REJECT

    def repeats(self, comment: Comment) -> bool:
        """Whether the comment was already decided this very way."""
        return (
            comment.decided_at is not None
            and comment.status == self.target_status().value
            and comment.decision_reason == self.reason_code()
        )
