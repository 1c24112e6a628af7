"""The audit log: append-only, ids and codes only (never comment text or personal data).

There is deliberately no function here that changes or deletes an entry, and
the database refuses UPDATE on the table (migration 0003).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import AuditAction
from commentgate.storage.models import AuditEntry, utcnow
from commentgate.storage.pagination import Page, id_key, paginate_by


def record_audit(
    session: Session,
    actor_key_id: str | None,
    action: AuditAction,
    target: tuple[str, str],
    *,
    site_id: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry; ``target`` is (type, id), ``actor_key_id`` None for the CLI."""
    session.add(
        AuditEntry(
            created_at=utcnow(),
            actor_key_id=actor_key_id,
            action=action.value,
            target_type=target[0],
            target_id=target[1],
            site_id=site_id,
            reason=reason,
            detail=detail or {},
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read; ``site_ids`` None means every site and site-less entries."""

    site_ids: Collection[str] | None = None
    actions: Collection[str] = ()
    target_type: str | None = None
    target_id: str | None = None
    actor_key_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(
    session: Session, f: AuditFilter, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """Entries matching ``f``, newest first."""
    query = select(AuditEntry)
    if f.site_ids is not None:
        query = query.where(AuditEntry.site_id.in_(f.site_ids))
    if f.actions:
        query = query.where(AuditEntry.action.in_(f.actions))
    for column, value in (
        (AuditEntry.target_type, f.target_type),
        (AuditEntry.target_id, f.target_id),
        (AuditEntry.actor_key_id, f.actor_key_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.since is not None:
        query = query.where(AuditEntry.created_at >= f.since)
    if f.until is not None:
        query = query.where(AuditEntry.created_at < f.until)
    keys = [id_key(AuditEntry.id, int)]
    return paginate_by(session, query, keys, cursor=cursor, limit=limit, descending=True)
