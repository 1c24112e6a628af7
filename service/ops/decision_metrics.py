"""What a moderator's decision tells ops: how long it waited, and whether it overrode the score."""

from __future__ import annotations

from datetime import datetime

from commentgate import metrics
from commentgate.domain import CommentStatus, DecisionAction
from commentgate.storage.models import Verdict, utcnow


def overrides_score(verdict: Verdict | None, to_status: str) -> str:
    """ "true" when the decision contradicts the verdict, "unscored" without one.

    The score is about spam, so approving a comment scored spam and rejecting
    as spam one that was not are overrides; rejecting a clean comment for
    abuse or being off topic is not.
    """
    if verdict is None:
        return "unscored"
    scored_spam = verdict.status == CommentStatus.SPAM.value
    decided_spam = to_status == CommentStatus.SPAM.value
    return "true" if scored_spam != decided_spam else "false"


def observe_decision(
    verdict: Verdict | None,
    action: DecisionAction,
    to_status: CommentStatus,
    scored_at: datetime | None,
    first: bool,
) -> None:
    """Count a decision; time it from the verdict if it is the comment's first."""
    metrics.DECISIONS.labels(action.value, overrides_score(verdict, to_status.value)).inc()
    if first and scored_at is not None:
        waited = (utcnow() - scored_at).total_seconds()
        metrics.DECISION_SECONDS.observe(max(0.0, waited))
