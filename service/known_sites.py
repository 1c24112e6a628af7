"""Which site names are registered, as this process read them at most a few seconds ago.

The per-site limits count each registered site apart and every other name
together (see :mod:`service.limits`). Asking the database on every captcha
and every picture would add a query to each; sites are few (one per host
website) and rarely added, so each process keeps the set of names and reads
it again after ``KNOWN_SITES_TTL`` seconds. A site registered just now counts
with the unknown names until then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from commentgate.storage.db import SessionFactory
from commentgate.storage.sites import registered_names

log = logging.getLogger(__name__)

KNOWN_SITES_TTL = 5.0  # seconds


class KnownSites:
    """The registered site names, re-read from the database at most every ``ttl`` seconds."""

    def __init__(
        self,
        sessions: SessionFactory,
        ttl: float = KNOWN_SITES_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._clock = clock
        self._names: frozenset[str] = frozenset()
        self._read_at: float | None = None

    def __contains__(self, name: object) -> bool:
        now = self._clock()
        if self._read_at is None or now - self._read_at >= self._ttl:
            self._read(now)
        return name in self._names

    def _read(self, now: float) -> None:
        # Marked first: requests arriving meanwhile use the last set instead of queueing
        # behind one slow query each.
        self._read_at = now
        try:
            with self._sessions() as session:
                self._names = registered_names(session)
        except SQLAlchemyError as exc:
            # The limits must not fail with the database: keep the last set until next time.
            log.warning("cannot read the registered sites (%s); keeping the last list", exc)
