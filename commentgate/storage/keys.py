"""API keys: random secrets shown once, stored as SHA-256.

Keys carry 256 bits of randomness, so a fast hash is enough: there is nothing
for a slow password hash to protect against.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from commentgate.domain import Role
from commentgate.storage.models import ApiKey

KEY_PREFIX = "cg_"


def hash_key(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, role: Role, name: str, site_id: str | None) -> str:
    """Store a new key and return its secret (the only time it is seen)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            key_hash=hash_key(secret),
            prefix=secret[:10],
            name=name,
            role=role.value,
            site_id=site_id,
        )
    )
    session.flush()
    return secret


def find_key(session: Session, secret: str) -> ApiKey | None:
    """The live (not revoked) key with this secret, or None."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    return key if key is not None and key.revoked_at is None else None
