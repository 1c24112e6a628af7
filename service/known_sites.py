"""The registered sites, as this process read them at most a few seconds ago.

Intake needs a comment's site (its id and origins) and the per-site limits
need to know which names are registered (see :mod:`service.limits`). Asking
the database on every comment, captcha and picture would add a query to each;
sites are few (one per host website) and rarely change, so each process keeps
them all. Once they are half ``KNOWN_SITES_TTL`` seconds old, the request that
notices asks a background thread to read them again and goes on with the set it
has: a request waits for the database only when that has not happened within
``KNOWN_SITES_TTL`` (the first request, an idle process), never every few seconds
as a stall in the latency tail.

A name the cache does not hold is looked up at once (:meth:`KnownSites.get`),
so a site registered just now takes comments at once; only the limits count it
with the unknown names until the next read. An origin or a site removed is
honoured within ``KNOWN_SITES_TTL`` seconds; an origin added, at once (intake
and CORS read the database again before refusing an origin).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from commentgate.errors import UnknownSiteError
from commentgate.storage.db import SessionFactory
from commentgate.storage.sites import (
    SiteEntry,
    find_site_entry,
    is_origin_registered,
    normalize_origin,
    site_entries,
)

log = logging.getLogger(__name__)

KNOWN_SITES_TTL = 5.0  # seconds


def on_a_thread(work: Callable[[], None]) -> None:
    """Run ``work`` on a daemon thread of its own."""
    threading.Thread(target=work, name="known-sites", daemon=True).start()


class KnownSites:
    """The registered sites, never more than ``ttl`` seconds old.

    ``in_background`` runs the read ahead of time (tests run it when they choose).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        ttl: float = KNOWN_SITES_TTL,
        clock: Callable[[], float] = time.monotonic,
        in_background: Callable[[Callable[[], None]], None] = on_a_thread,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._clock = clock
        self._in_background = in_background
        self._sites: dict[str, SiteEntry] = {}
        self._read_at: float | None = None
        self._reading_ahead = False

    def __contains__(self, name: object) -> bool:
        return name in self._current()

    def get(self, name: str, *, fresh: bool = False) -> SiteEntry:
        """The site called ``name``: from the cache, else (or if ``fresh``) from the database.

        Raises:
            UnknownSiteError: no such site is registered.
            SQLAlchemyError: the database could not be read when it had to be.
        """
        entry = None if fresh else self._current().get(name)
        if entry is None:
            with self._sessions() as session:
                entry = find_site_entry(session, name)
            if entry is None:
                raise UnknownSiteError(name)
        return entry

    def allows(self, origin: str, site: str | None) -> bool:
        """Whether ``origin`` is registered for ``site`` (for any site when None).

        An origin the cache does not hold is looked up in the database before
        the answer is no.

        Raises:
            SQLAlchemyError: the database could not be read when it had to be.
        """
        wanted = normalize_origin(origin)
        cached = self._current()
        entries = cached.values() if site is None else [cached.get(site)]
        if any(entry is not None and wanted in entry.origins for entry in entries):
            return True
        with self._sessions() as session:
            return is_origin_registered(session, origin, site)

    def forget(self) -> None:
        """Read the sites again on next use: a change made here shows at once in this process
        (other processes see it within the TTL)."""
        self._read_at = None

    def _current(self) -> dict[str, SiteEntry]:
        now = self._clock()
        age = None if self._read_at is None else now - self._read_at
        if age is None or age >= self._ttl:
            self._read(now)
        elif age >= self._ttl / 2 and not self._reading_ahead:
            self._reading_ahead = True
            self._in_background(self._read_ahead)
        return self._sites

    def _read_ahead(self) -> None:
        try:
            self._read(self._clock())
        finally:
            self._reading_ahead = False

    def _read(self, now: float) -> None:
        # Marked first: requests arriving meanwhile use the last set instead of queueing
        # behind one slow query each.
        self._read_at = now
        try:
            with self._sessions() as session:
                self._sites = site_entries(session)
        except SQLAlchemyError as exc:
            # The limits must not fail with the database: keep the last set until next time.
            log.warning("cannot read the registered sites (%s); keeping the last list", exc)
