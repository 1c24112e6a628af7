"""RQ jobs. Each takes ids, re-reads state, and is safe to run twice."""

from __future__ import annotations

import logging

from rq import get_current_job

from commentgate import metrics
from commentgate.logging import log_context
from commentgate.storage.comments import record_verdict
from commentgate.storage.db import SessionFactory, transaction
from commentgate.storage.models import Comment, utcnow
from workers import runtime
from workers.verdicts import basic_verdict, status_for

log = logging.getLogger(__name__)


def score_comment(sessions: SessionFactory, comment_id: str) -> str:
    """Score a ``received`` comment and move it on; returns what happened.

    A comment already scored or decided is left alone ("skipped"), so a job
    re-queued by the sweep or re-run after a crash does no harm.
    """
    with transaction(sessions) as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            log.warning("comment %s not found; nothing to score", comment_id)
            return "missing"
        if comment.status != "received":
            return "skipped"
        scored = basic_verdict(comment)
        status = status_for(scored.score, comment.site)
        moved = record_verdict(
            session,
            comment_id,
            score=scored.score,
            reasons=scored.reasons,
            model_version=scored.model_version,
            status=status,
        )
    if not moved:
        return "skipped"
    # Counted only once the verdict is committed.
    metrics.COMMENTS_SCORED.labels(status.value).inc()
    metrics.SCORING_SECONDS.observe((utcnow() - comment.created_at).total_seconds())
    return status.value


def moderate_comment(comment_id: str) -> str:
    """The queued job: score one comment with this process's runtime."""
    job = get_current_job()
    request_id = job.meta.get("request_id") if job else None
    with log_context(request_id=request_id, job_id=job.id if job else None):
        try:
            outcome = score_comment(runtime.current().sessions, comment_id)
        except Exception:
            metrics.JOBS.labels("error").inc()
            log.exception("scoring comment %s failed", comment_id)
            raise
        metrics.JOBS.labels(outcome if outcome in {"skipped", "missing"} else "scored").inc()
        log.info("comment %s: %s", comment_id, outcome)
        return outcome
