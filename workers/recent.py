"""What recent comments say about this one: near-duplicates and bursts.

Both live in Redis, per site, for a day. Spammers paste one text under many
articles (or many names) and post in bursts; a reader does neither. Redis may
lose this memory at any time, which only makes the next verdicts less informed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import redis

from commentgate.recent_keys import burst_key, hashed, recent_key
from workers.scoring.normalize import canonical_words
from workers.scoring.types import Reason, ReasonCode

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600
KEEP_PER_SITE = 5000
# Each verdict compares against the site's newest SCAN traces: a linear scan is
# simple and exact, and a thousand 64-bit comparisons cost about a millisecond.
SCAN = 1000
NEAR_BITS = 9  # SimHash distance (of 64) at or below which two texts count as the same
MIN_TOKENS = 6  # "Bài viết hay quá" is said by many honest readers
BURST_SECONDS = 600
BURST_FREE = 3  # comments per author per burst window that cost nothing


@dataclass(frozen=True)
class Trace:
    """What we remember of a comment: its text fingerprint, author and article."""

    comment_id: str
    simhash: int | None
    author: str
    article: str

    def member(self) -> str:
        simhash = f"{self.simhash:016x}" if self.simhash is not None else "-"
        return f"{simhash}|{self.comment_id}|{self.author}|{self.article}"

    @classmethod
    def parse(cls, member: bytes | str) -> Trace:
        text = member.decode() if isinstance(member, bytes) else member
        simhash, comment_id, author, article = text.split("|", 3)
        return cls(comment_id, None if simhash == "-" else int(simhash, 16), author, article)


def simhash(text: str) -> int | None:
    """64-bit SimHash over character 4-grams of the evasion-normal text (None if short).

    Character grams, not word pairs: comments are short, and with few features
    one changed word would flip too many bits.
    """
    tokens = canonical_words(text)
    if len(tokens) < MIN_TOKENS:
        return None
    joined = " ".join(tokens)
    digests = b"".join(map(_gram_digest, [joined[at : at + 4] for at in range(len(joined) - 3)]))
    # Each digest is a big-endian number: reversed, the bytes run least significant first,
    # and each row of 64 bits is one gram's bits 0..63. +1 for a set bit, -1 for a clear
    # one, summed over the grams by numpy rather than 64 Python additions per gram.
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)[::-1], bitorder="little")
    totals = (2 * bits.reshape(-1, 64).astype(np.int32) - 1).sum(axis=0)
    return sum(1 << bit for bit in range(64) if totals[bit] > 0)


# A language's 4-grams are few and recur in every comment: their digests are remembered
# rather than hashed again. The Vietnamese corpora hold 18,000 distinct ones; 16,384
# remembered (3 MB) answer 97% of lookups.
@lru_cache(maxsize=16_384)
def _gram_digest(gram: str) -> bytes:
    return hashlib.blake2b(gram.encode(), digest_size=8).digest()


def trace_of(comment_id: str, text: str, author: str, article: str) -> Trace:
    """The trace of a comment; author and article are hashed (no personal data in Redis)."""
    return Trace(comment_id, simhash(text), hashed(author), hashed(article))


class Newest:
    """A site's newest traces, newest first, with their SimHashes in one array: the scan
    for near-duplicates is one vector operation over a thousand traces, not a Python loop."""

    def __init__(self, traces: list[Trace]) -> None:
        self.traces = traces
        self._members = set(traces)
        self._hashes = np.array([trace.simhash or 0 for trace in traces], dtype=np.uint64)
        self._hashed = np.array([trace.simhash is not None for trace in traces], dtype=bool)

    def near(self, simhash: int) -> list[Trace]:
        """The traces whose SimHash is at most NEAR_BITS from ``simhash``."""
        distances = np.bitwise_count(self._hashes ^ np.uint64(simhash))
        close = np.flatnonzero(self._hashed & (distances <= NEAR_BITS))
        return [self.traces[at] for at in close]

    def remember(self, trace: Trace) -> None:
        """Keep in step with the sorted set once ``trace`` is added: newest, once, and no
        more than SCAN traces."""
        if trace in self._members:  # a comment scored again: its trace moves to the front
            at = self.traces.index(trace)
            del self.traces[at]
            self._hashes, self._hashed = np.delete(self._hashes, at), np.delete(self._hashed, at)
        self.traces.insert(0, trace)
        self._members.add(trace)
        self._hashes = np.concatenate(([np.uint64(trace.simhash or 0)], self._hashes))
        self._hashed = np.concatenate(([trace.simhash is not None], self._hashed))
        if len(self.traces) > SCAN:
            self._members.discard(self.traces.pop())
            self._hashes, self._hashed = self._hashes[:SCAN], self._hashed[:SCAN]


class RecentActivity:
    """Near-duplicate and burst reasons from a site's last day of comments.

    With ``keep_view`` (one batch of comments scored in order), a site's newest traces
    are read from Redis once and kept in step as each comment is remembered: the same
    traces one read per comment would see, without reading and parsing a thousand of
    them per comment.
    """

    def __init__(self, client: redis.Redis, clock=time.time, *, keep_view: bool = False) -> None:
        self._redis = client
        self._clock = clock
        self._views: dict[str, Newest] | None = {} if keep_view else None

    def reasons(self, site_id: str, trace: Trace) -> list[Reason]:
        """Reasons this comment earns from recent activity; remembers it too."""
        try:
            duplicates = self._duplicate_reasons(site_id, trace)
            count = self._count_and_remember(site_id, trace)
        except redis.RedisError as exc:
            log.warning("recent-activity memory unavailable (%s); scoring without it", exc)
            return []
        return duplicates + _burst_reasons(count)

    def _duplicate_reasons(self, site_id: str, trace: Trace) -> list[Reason]:
        if trace.simhash is None:
            return []
        elsewhere = {
            other.article
            for other in self._newest(site_id).near(trace.simhash)
            if other.comment_id != trace.comment_id
            # The same words under the same article are readers agreeing; pasted
            # under other articles they are a campaign.
            and other.article != trace.article
        }
        if not elsewhere:
            return []
        weight = min(1.2, 0.4 * len(elsewhere))
        detail = (
            f"near-duplicate of {len(elsewhere)} recent comment(s) on other articles or by others"
        )
        return [Reason(ReasonCode.DUPLICATE, round(weight, 4), detail)]

    def _newest(self, site_id: str) -> Newest:
        """The site's newest SCAN traces."""
        if self._views is not None and site_id in self._views:
            return self._views[site_id]
        key = recent_key(site_id)
        self._redis.zremrangebyscore(key, 0, self._clock() - WINDOW_SECONDS)
        newest = Newest([Trace.parse(member) for member in self._redis.zrevrange(key, 0, SCAN - 1)])
        if self._views is not None:
            self._views[site_id] = newest
        return newest

    def _count_and_remember(self, site_id: str, trace: Trace) -> int:
        """The author's comments in the burst window, this one counted; and the trace
        remembered, in the same round trip."""
        burst, recent, now = (
            burst_key(site_id, trace.author),
            recent_key(site_id),
            self._clock(),
        )
        pipe = self._redis.pipeline()
        pipe.zadd(burst, {trace.comment_id: now})
        pipe.zremrangebyscore(burst, 0, now - BURST_SECONDS)
        pipe.zcard(burst)
        pipe.expire(burst, BURST_SECONDS)
        pipe.zadd(recent, {trace.member(): now})
        pipe.zremrangebyrank(recent, 0, -KEEP_PER_SITE - 1)
        pipe.expire(recent, WINDOW_SECONDS)
        count = pipe.execute()[2]
        if self._views is not None and site_id in self._views:
            self._views[site_id].remember(trace)
        return count


def _burst_reasons(count: int) -> list[Reason]:
    if count <= BURST_FREE:
        return []
    weight = min(1.0, 0.25 * (count - BURST_FREE))
    detail = f"{count} comments from this author in {BURST_SECONDS // 60} minutes"
    return [Reason(ReasonCode.VELOCITY, weight, detail)]
