"""Pending comments with verdicts, stored as the worker leaves them (console tests, bench)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from commentgate.config import Settings
from commentgate.fingerprint import author_fingerprints
from commentgate.sealing import data_keyring
from commentgate.storage.comments import reason_codes_text
from commentgate.storage.db import transaction
from commentgate.storage.models import Comment, Verdict, utcnow
from commentgate.storage.sites import get_site


@dataclass
class Pending:
    """One scored comment as the worker left it; ``age`` in seconds orders the queue."""

    title: str
    content: str = "Bài viết rất hay, cảm ơn tác giả."
    name: str = "Độc giả"
    article: str = "bai-1"
    phone: str | None = None
    ip: str | None = "203.0.113.9"
    score: float = 0.5
    reasons: list[dict[str, Any]] = field(default_factory=list)
    age: float = 60.0
    status: str = "pending"


def reason(code: str, weight: float = 1.0, *spans: tuple[str, int, int]) -> dict[str, Any]:
    """A verdict reason with spans ``(field, start, end)`` in code points."""
    located = [{"field": f, "start": s, "end": e} for f, s, e in spans]
    return {"code": code, "weight": weight, "detail": code, "spans": located}


def store_pending(
    sessions, settings: Settings, comments: list[Pending], site: str = "demo"
) -> list[str]:
    """Store ``comments`` (``pending`` unless said) with their verdicts; their ids, in order."""
    now = utcnow()
    ids = []
    keyring = data_keyring(settings)
    with transaction(sessions) as session:
        site_id = get_site(session, site).id
        for c in comments:
            marks = author_fingerprints(settings, c.phone, c.ip)
            at = now - timedelta(seconds=c.age)
            row = Comment(
                site_id=site_id,
                article=c.article,
                name=c.name,
                title=c.title,
                content=c.content,
                phone_sealed=keyring.seal(c.phone) if c.phone else None,
                ip=c.ip,
                status=c.status,
                score=c.score,
                created_at=at,
                scored_at=at,
                reason_codes=reason_codes_text(c.reasons),
                phone_hmac=marks.phone_hmac,
                ip_hmac=marks.ip_hmac,
            )
            session.add(row)
            session.flush()
            session.add(
                Verdict(
                    comment_id=row.id,
                    score=c.score,
                    reasons=c.reasons,
                    model_version="test",
                    status=c.status,
                    created_at=at,
                )
            )
            ids.append(row.id)
    return ids
