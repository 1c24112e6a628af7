"""How comments look from outside: to the public, and to moderators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commentgate.storage.models import Comment, Verdict
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


def verdict_view(verdict: Verdict | None) -> dict[str, Any] | None:
    """The worker's score with every reason, as moderators see it."""
    if verdict is None:
        return None
    return {
        "score": verdict.score,
        "reasons": verdict.reasons,
        "model_version": verdict.model_version,
    }


PHONE_MASK = "••••••••••"
_MOMENTS = ("created_at", "scored_at", "decided_at", "edited_at")


def moderator_view(comment: Comment, verdict: Verdict | None) -> dict[str, Any]:
    """Everything moderators need to decide, personal data included: a
    :class:`ModeratorComment`, whose fields not derived here are the comment's own."""
    derived = {
        "site": comment.site.name,
        "honeypot_filled": bool(comment.honeypot),
        "verdict": verdict_view(verdict),
        "etag": etag_of(comment),
        # Sealed at rest; only the audited reveal opens it (commentgate.sealing.reveal_phone).
        "phone": PHONE_MASK if comment.phone_sealed else None,
        **{name: rfc3339(getattr(comment, name)) for name in _MOMENTS},
    }
    given = {
        name: derived[name] if name in derived else getattr(comment, name)
        for name in ModeratorComment.model_fields
    }
    return ModeratorComment.model_validate(given).model_dump(mode="json")
