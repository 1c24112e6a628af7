"""RQ jobs. Each takes ids, re-reads state, and is safe to run twice."""

from __future__ import annotations

import logging

from commentgate.storage.comments import record_verdict
from commentgate.storage.db import SessionFactory, transaction
from commentgate.storage.models import Comment
from workers import runtime
from workers.bans import ban_reasons
from workers.verdicts import Scored, basic_verdict, status_for

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
        scored = with_ban_reasons(basic_verdict(comment), ban_reasons(session, comment))
        status = status_for(scored.score, comment.site)
        moved = record_verdict(
            session,
            comment_id,
            score=scored.score,
            reasons=scored.reasons,
            model_version=scored.model_version,
            status=status,
        )
    return status.value if moved else "skipped"


def with_ban_reasons(scored: Scored, reasons: list[dict]) -> Scored:
    """``scored`` plus the ban's reasons (and their weight)."""
    if not reasons:
        return scored
    extra = sum(r["weight"] for r in reasons)
    return Scored(round(scored.score + extra, 4), scored.reasons + reasons, scored.model_version)


def moderate_comment(comment_id: str) -> str:
    """The queued job: score one comment with this process's runtime."""
    return score_comment(runtime.current().sessions, comment_id)
