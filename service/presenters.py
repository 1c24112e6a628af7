"""How comments look from outside: to the public, and to moderators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commentgate.storage.models import Comment, Verdict
from service.moderation.reveal import masked
from service.schemas import ModeratorComment


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


def verdict_view(
    verdict: Verdict | None, edited_at: datetime | None = None
) -> dict[str, Any] | None:
    """The worker's score with every reason, as moderators see it; the reasons' spans
    point into the text as scored, so they are left out once it was edited after that."""
    if verdict is None:
        return None
    reasons = verdict.reasons
    if edited_at is not None and edited_at >= verdict.created_at:
        reasons = [{k: v for k, v in r.items() if k != "spans"} for r in reasons]
    return {"score": verdict.score, "reasons": reasons, "model_version": verdict.model_version}


_MOMENTS = ("created_at", "scored_at", "decided_at", "edited_at")


def moderator_view(comment: Comment, verdict: Verdict | None) -> dict[str, Any]:
    """Everything moderators need to decide, the phone number and IP address masked: a
    :class:`ModeratorComment`, whose fields not derived here are the comment's own."""
    derived = {
        **masked(comment),
        "site": comment.site.name,
        "honeypot_filled": bool(comment.honeypot),
        "verdict": verdict_view(verdict, comment.edited_at),
        "etag": etag_of(comment),
        **{name: rfc3339(getattr(comment, name)) for name in _MOMENTS},
    }
    given = {
        name: derived[name] if name in derived else getattr(comment, name)
        for name in ModeratorComment.model_fields
    }
    return ModeratorComment.model_validate(given).model_dump(mode="json")
