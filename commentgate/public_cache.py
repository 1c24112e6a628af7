"""Readers' answers about one article (its approved pages, its count), cached in Redis.

Each article has one Redis hash: a generation number and the cached answers
(``page:<cursor>:<limit>``, ``count``). The lifecycle drops an article's answers
after the commit of every change readers can see (a comment published, unpublished,
or edited while public): :func:`forget_article` bumps the generation and deletes
the answers. A reader that missed stores what it read only if the generation is
still the one it saw before reading the database, so an answer read before a
commit can never be stored after that commit's invalidation: once the after-commit
hook has run, no read serves the old state. Answers also expire after
``CACHE_TTL_SECONDS``, so a lost invalidation (Redis down at that moment) heals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from commentgate.redis_keys import redis_key

CACHE_TTL_SECONDS = 300

_FORGET = """
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'gen', gen)
redis.call('EXPIRE', KEYS[1], ARGV[1])
return gen
"""

# Store only if nobody invalidated the article since the reader looked (ARGV[1] is the
# generation it saw, '' for none).
_STORE = """
local gen = redis.call('HGET', KEYS[1], 'gen') or ''
if gen ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


def article_key(site_id: str, article: str) -> str:
    """The Redis hash of one article's cached answers (the article hashed: ids can be long)."""
    digest = hashlib.sha256(article.encode()).hexdigest()[:32]
    return redis_key("public", site_id, digest)


def page_field(cursor: str | None, limit: int) -> str:
    """The field of one page of approved comments in the article's hash."""
    return f"page:{cursor or ''}:{limit}"


COUNT_FIELD = "count"


@dataclass(frozen=True)
class Cached:
    """What the cache holds for one answer: the value (None: a miss) and the generation seen."""

    value: bytes | None
    generation: str


class PublicCache:
    """Reads and stores cached answers on one Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._store = client.register_script(_STORE)

    def get(self, site_id: str, articles: Sequence[str], field: str) -> list[Cached]:
        """``field`` of each article's hash, in one round trip."""
        with self._redis.pipeline(transaction=False) as pipe:
            for article in articles:
                pipe.hmget(article_key(site_id, article), "gen", field)
            replies = pipe.execute()
        return [Cached(value, gen.decode() if gen else "") for gen, value in replies]

    def store(self, site_id: str, entries: Sequence[tuple[str, str, Cached, bytes]]) -> None:
        """Store ``(article, field, what was seen, value)`` entries not invalidated since."""
        with self._redis.pipeline(transaction=False) as pipe:
            for article, field, seen, value in entries:
                key = article_key(site_id, article)
                args = [seen.generation, field, value, CACHE_TTL_SECONDS]
                self._store(keys=[key], args=args, client=pipe)
            pipe.execute()


def forget_article(client: redis.Redis, site_id: str, article: str) -> None:
    """Drop every cached answer about the article (after the commit that changed it)."""
    client.eval(_FORGET, 1, article_key(site_id, article), CACHE_TTL_SECONDS)
