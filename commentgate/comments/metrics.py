"""What a comment's life tells ops: accepted, scored, decided, and how long each waited."""

from __future__ import annotations

from datetime import datetime

from commentgate import metrics
from commentgate.domain import CommentStatus, DecisionAction
from commentgate.storage.models import Verdict


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


class LifecycleMetrics:
    """The process's Prometheus counters for a comment's life."""

    def accepted(self, site_name: str) -> None:
        """Count a comment stored by intake."""
        metrics.COMMENTS_ACCEPTED.labels(site_name).inc()

    def scored(self, status: CommentStatus, waited_seconds: float) -> None:
        """Count a committed verdict and the time since the comment came in."""
        metrics.COMMENTS_SCORED.labels(status.value).inc()
        metrics.SCORING_SECONDS.observe(waited_seconds)

    def decided(
        self,
        verdict: Verdict | None,
        action: DecisionAction,
        to_status: CommentStatus,
        waited_seconds: float | None,
    ) -> None:
        """Count a decision; ``waited_seconds`` since the verdict when it is the first."""
        metrics.DECISIONS.labels(action.value, overrides_score(verdict, to_status.value)).inc()
        if waited_seconds is not None:
            metrics.DECISION_SECONDS.observe(max(0.0, waited_seconds))


PROMETHEUS = LifecycleMetrics()


def since(start: datetime | None, now: datetime) -> float | None:
    """Seconds from ``start`` to ``now`` (None without a start)."""
    return None if start is None else (now - start).total_seconds()
