"""Telling every process that a registered site changed, through one Redis key.

Web processes keep the registered sites in memory (``service.known_sites``) and look
every few seconds whether they changed. Reading them from the database is four round
trips and a thread that holds the interpreter meanwhile, a visible share of a picture's
latency tail (bench/README.md); reading this key is one GET. Whoever changes a site
sets the key to a new random token once the change has committed. A token never comes
back, so a Redis restarted empty, the key gone, reads as a change too.
"""

from __future__ import annotations

import logging
import secrets

import redis

from commentgate.redis_conn import REDIS_OUTAGES
from commentgate.redis_keys import redis_key

log = logging.getLogger(__name__)

SITES_CHANGED = redis_key("sites", "changed")


class SiteChanges:
    """Announcing a change to the registered sites, and reading the latest announcement."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def announce(self) -> bool:
        """Say, after its commit, that a site changed; False when Redis is out (the change
        then shows in other processes at their next full read of the sites)."""
        try:
            self._client.set(SITES_CHANGED, secrets.token_hex(8))
        except REDIS_OUTAGES as exc:
            log.warning("a site change was not announced to the web processes: %s", exc)
            return False
        return True

    def latest(self) -> str | None:
        """The latest announcement's token ("" for none since Redis started); None when
        Redis cannot answer, and nothing can be told from it."""
        try:
            token = self._client.get(SITES_CHANGED)
        except REDIS_OUTAGES:
            return None
        return "" if token is None else token.decode()
