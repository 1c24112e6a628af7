"""The registered sites, as this process read them, and whether they changed since.

Intake needs a comment's site (its id and origins) and the per-site limits
need to know which names are registered (see :mod:`service.limits`). Asking
the database on every comment, captcha and picture would add a query to each;
sites are few (one per host website) and rarely change, so each process keeps
them all. Once they are half ``KNOWN_SITES_TTL`` seconds old, the request that
notices asks a background thread to look again and goes on with the set it has:
a request waits only when that has not happened within ``KNOWN_SITES_TTL`` (the
first request, an idle process).

Looking again ahead of time is one Redis GET: a change to a site is announced there once
it has committed (:mod:`commentgate.site_changes`), and the sites are read from the
database only when an announcement came since the last read, when Redis cannot say, or
once ``KNOWN_SITES_MAX_AGE`` has passed (a change made while Redis was out). Reading them
every few seconds held the interpreter long enough to show in a picture's latency tail.
A request that has to look itself reads the database, never waiting on Redis.

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
from commentgate.site_changes import SiteChanges
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
KNOWN_SITES_MAX_AGE = 60.0  # seconds: read again even with no announcement


def on_a_thread(work: Callable[[], None]) -> None:
    """Run ``work`` on a daemon thread of its own."""
    threading.Thread(target=work, name="known-sites", daemon=True).start()


class KnownSites:
    """The registered sites, looked at again every ``ttl`` seconds at the most.

    Without ``changes`` every look reads the database. ``in_background`` runs the look
    ahead of time (tests run it when they choose).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        changes: SiteChanges | None = None,
        ttl: float = KNOWN_SITES_TTL,
        max_age: float = KNOWN_SITES_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
        in_background: Callable[[Callable[[], None]], None] = on_a_thread,
    ) -> None:
        self._sessions = sessions
        self._changes = changes
        self._ttl = ttl
        self._max_age = max_age
        self._clock = clock
        self._in_background = in_background
        self._sites: dict[str, SiteEntry] = {}
        self._looked_at: float | None = None
        self._looking_ahead = False
        self._read_at = 0.0
        self._read_after: str | None = None  # the announcement the sites were read after

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
        """Read the sites again on next use: a change made here shows at once in this process."""
        self._looked_at = None
        self._read_after = None

    def changed(self) -> None:
        """A change to a site has committed: read the sites again here on next use, and
        tell the other processes (they see it within the TTL)."""
        self.forget()
        if self._changes is not None:
            self._changes.announce()

    def _current(self) -> dict[str, SiteEntry]:
        now = self._clock()
        age = None if self._looked_at is None else now - self._looked_at
        if age is None or age >= self._ttl:
            # An idle process: the database at once, as before any announcement existed
            # (a request never waits on Redis for its sites).
            self._read(now, None)
        elif age >= self._ttl / 2 and not self._looking_ahead:
            self._looking_ahead = True
            self._in_background(self._look_ahead)
        return self._sites

    def _look_ahead(self) -> None:
        try:
            now = self._clock()
            # Marked first: requests arriving meanwhile start no other look.
            self._looked_at = now
            # Asked before reading: a change committed meanwhile leaves a newer
            # announcement, which the next look reads the sites again for.
            announced = self._changes.latest() if self._changes is not None else None
            unchanged = announced is not None and announced == self._read_after
            if not unchanged or now - self._read_at >= self._max_age:
                self._read(now, announced)
        finally:
            self._looking_ahead = False

    def _read(self, now: float, announced: str | None) -> None:
        # Marked first: requests arriving meanwhile use the last set instead of queueing
        # behind one slow query each.
        self._looked_at = now
        try:
            with self._sessions() as session:
                self._sites = site_entries(session)
        except SQLAlchemyError as exc:
            # The limits must not fail with the database: keep the last set until next time.
            log.warning("cannot read the registered sites (%s); keeping the last list", exc)
            return
        self._read_at, self._read_after = now, announced
