"""API keys: random secrets shown once, stored as SHA-256.

Keys carry 256 bits of randomness, so a fast hash is enough: there is nothing
for a slow password hash to protect against.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import Role
from commentgate.storage.db import escape_like
from commentgate.storage.models import ApiKey, utcnow
from commentgate.storage.pagination import MAX_LIMIT, Page, paginate

KEY_PREFIX = "cg_"


def hash_key(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, role: Role, name: str, site_id: str | None) -> str:
    """Store a new key and return its secret (the only time it is seen)."""
    return issue_key(session, role, name, site_id)[1]


def issue_key(session: Session, role: Role, name: str, site_id: str | None) -> tuple[ApiKey, str]:
    """Store a new key; returns the row and the secret (the only time it is seen)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        key_hash=hash_key(secret),
        prefix=secret[:10],
        name=name,
        role=role.value,
        site_id=site_id,
    )
    session.add(key)
    session.flush()
    return key, secret


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The live (not revoked) key with this secret, or None."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    return key if key is not None and key.revoked_at is None else None


def find_key_by_id(session: Session, key_id: str) -> ApiKey | None:
    """The key with this id (revoked or not), or None."""
    return session.get(ApiKey, key_id)


def find_keys_by_prefix(session: Session, prefix: str) -> list[ApiKey]:
    """Keys whose shown prefix starts with ``prefix`` (revoked ones too)."""
    query = select(ApiKey).where(ApiKey.prefix.like(f"{escape_like(prefix)}%", escape="\\"))
    return list(session.scalars(query))


def live_keys_named(session: Session, name: str, role: Role) -> list[ApiKey]:
    """The live keys for all sites with this holder name and role."""
    query = select(ApiKey).where(
        ApiKey.name == name,
        ApiKey.role == role.value,
        ApiKey.site_id.is_(None),
        ApiKey.revoked_at.is_(None),
    )
    return list(session.scalars(query))


def list_keys(
    session: Session,
    site_ids: Collection[str] | None,
    *,
    prefix: str | None = None,
    role: Role | None = None,
    include_revoked: bool = False,
    cursor: str | None = None,
    limit: int = MAX_LIMIT,
) -> Page[ApiKey]:
    """Keys on the given sites (None: all keys, global ones included), newest first."""
    query = select(ApiKey)
    if site_ids is not None:
        query = query.where(ApiKey.site_id.in_(site_ids))
    if prefix:
        query = query.where(ApiKey.prefix.like(f"{escape_like(prefix)}%", escape="\\"))
    if role is not None:
        query = query.where(ApiKey.role == role.value)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return paginate(session, query, ApiKey, cursor=cursor, limit=limit, newest_first=True)


def revoke_key(session: Session, key: ApiKey) -> bool:
    """Revoke ``key`` now; False if it was revoked already (nothing changes)."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    session.flush()
    return True
