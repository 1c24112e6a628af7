"""The Redis keys of the workers' memory of a day's comments, and forgetting an author there.

:mod:`workers.recent` writes them; erasing an author's data (:mod:`commentgate.subjects`)
takes their comments and their burst counter out. Authors and articles are kept only
hashed; a trace member reads ``simhash|comment id|author hash|article hash``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

import redis

from commentgate.redis_keys import redis_key


def hashed(value: str) -> str:
    """How an author or an article is kept in the memory: 16 hex digits of its SHA-256."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def recent_key(site_id: str) -> str:
    """The sorted set of a site's recent comment traces."""
    return redis_key("recent", site_id)


def burst_key(site_id: str, author_hash: str) -> str:
    """The sorted set of one author's comments in the burst window."""
    return redis_key("burst", site_id, author_hash)


def forget_recent(
    client: redis.Redis, site_id: str, comment_ids: Collection[str], authors: Collection[str]
) -> int:
    """Remove these comments' traces and these authors' burst counters; returns how many."""
    key, ids = recent_key(site_id), set(comment_ids)
    members = [m for m in client.zrange(key, 0, -1) if _comment_of(m) in ids]
    removed = client.zrem(key, *members) if members else 0
    bursts = [burst_key(site_id, hashed(author)) for author in authors if author]
    return removed + (client.delete(*bursts) if bursts else 0)


def _comment_of(member: bytes | str) -> str:
    text = member.decode() if isinstance(member, bytes) else member
    parts = text.split("|", 3)
    return parts[1] if len(parts) > 1 else ""
