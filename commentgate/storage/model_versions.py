"""Stored spam model versions: the newest per scope, new ones, and pruning old ones."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, defer

from commentgate.storage.models import ModelVersion


def latest_version(session: Session, site_id: str | None) -> ModelVersion | None:
    """The newest model for the site, else the newest global prior (``site_id`` NULL)."""
    scope = ModelVersion.site_id.is_(None)
    if site_id is not None:
        scope = or_(ModelVersion.site_id == site_id, scope)
    # Site models sort first (NULLs last), then the newest.
    order = (ModelVersion.site_id.is_(None), ModelVersion.id.desc())
    # The weights (megabytes) are read only when no cache has them.
    newest = select(ModelVersion).options(defer(ModelVersion.weights))
    return session.scalar(newest.where(scope).order_by(*order).limit(1))


def newest_site_version(session: Session, site_id: str) -> ModelVersion | None:
    """The site's own newest version (never the global prior)."""
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.site_id == site_id)
        .order_by(ModelVersion.id.desc())
        .limit(1)
    )


def add_version(session: Session, row: ModelVersion) -> None:
    """Store a new version; it becomes current for its scope once committed."""
    session.add(row)
    session.flush()


def prune_versions(session: Session, site_id: str | None, keep: int) -> list[str]:
    """Delete the scope's versions older than its newest ``keep``; returns their names."""
    column = ModelVersion.site_id
    scope = column.is_(None) if site_id is None else column == site_id
    newest = select(ModelVersion.id).where(scope).order_by(ModelVersion.id.desc())
    kept = session.scalars(newest.limit(keep)).all()
    old = ModelVersion.id.not_in(kept)
    pruned = list(session.scalars(select(ModelVersion.version).where(scope, old)).all())
    if pruned:
        session.execute(delete(ModelVersion).where(scope, old))
    return pruned
