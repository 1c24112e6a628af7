"""How comments look from outside: to the public, and to moderators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commentgate.storage.models import Comment, Verdict


def rfc3339(moment: datetime | None) -> str | None:
    """``2026-11-25T16:47:22.123Z`` (UTC, milliseconds), or None."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def etag_of(comment: Comment) -> str:
    """A strong ETag that changes whenever the comment's state changes."""
    return f'"{comment.id}.{comment.version}"'


def public_view(comment: Comment) -> dict[str, Any]:
    """What readers may see: never phone, IP or moderation details."""
    return {
        "id": comment.id,
        "name": comment.name,
        "title": comment.title,
        "content": comment.content,
        "created_at": rfc3339(comment.created_at),
    }


def verdict_view(verdict: Verdict | None) -> dict[str, Any] | None:
    """The worker's score with every reason, as moderators see it."""
    if verdict is None:
        return None
    return {
        "score": verdict.score,
        "reasons": verdict.reasons,
        "model_version": verdict.model_version,
    }


def moderator_view(comment: Comment, verdict: Verdict | None) -> dict[str, Any]:
    """Everything moderators need to decide, personal data included."""
    return {
        "id": comment.id,
        "site": comment.site.name,
        "article": comment.article,
        "name": comment.name,
        "phone": comment.phone,
        "title": comment.title,
        "content": comment.content,
        "ip": comment.ip,
        "user_agent": comment.user_agent,
        "honeypot_filled": bool(comment.honeypot),
        "submit_seconds": comment.submit_seconds,
        "status": comment.status,
        "score": comment.score,
        "verdict": verdict_view(verdict),
        "created_at": rfc3339(comment.created_at),
        "scored_at": rfc3339(comment.scored_at),
        "decided_at": rfc3339(comment.decided_at),
        "decision_reason": comment.decision_reason,
        "decision_note": comment.decision_note,
        "has_link": comment.has_link,
        "edited_at": rfc3339(comment.edited_at),
        "etag": etag_of(comment),
    }
