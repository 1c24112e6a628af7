"""Rate limits fail open on a Redis outage, and only then.

When Redis cannot count, every limit lets the request pass: refusing every
reader because the counter is down would turn an outage into a denial of
service (intake still fails closed on its own: it cannot redeem a captcha
without Redis). Any other error — a key function that raises, a limit that
does not parse, a Redis reply that is not an outage — is a bug and answers
500, never a request let through unlimited. Each pass is logged and counted
(``commentgate_rate_limits_skipped``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import g, has_request_context
from flask_limiter import Limiter
from limits import RateLimitItem
from limits.strategies import RateLimiter
from limits.util import WindowStats

from commentgate import metrics
from commentgate.redis_conn import REDIS_OUTAGES

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 10.0  # an outage skips several checks per request: one line is enough


@dataclass(frozen=True)
class Counted:
    """One limit as :mod:`service.limit_batch` counted it: let through or not, its window."""

    passed: bool
    stats: WindowStats


def counted(key: str) -> Counted | None:
    """What the request's batch already counted for the ``limits`` key ``key``, if anything."""
    if not has_request_context():
        return None
    return g.get("counted_limits", {}).get(key)


class FailOpenStrategy(RateLimiter):
    """A limits strategy that allows what it cannot count while Redis is out.

    A limit the request's batch has counted already is answered from that count.
    """

    def __init__(self, inner: RateLimiter) -> None:
        super().__init__(inner.storage)
        self.inner = inner
        self._logged_at: float | None = None

    def _skipped(self, operation: str, exc: Exception) -> None:
        metrics.RATE_LIMITS_SKIPPED.labels(operation).inc()
        now = time.monotonic()
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY_SECONDS:
            self._logged_at = now
            log.warning("rate limits cannot count, letting requests pass: %s", exc)

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count ``cost`` against ``item``; True if within it, or if Redis is out."""
        done = counted(item.key_for(*identifiers)) if cost == 1 else None
        if done is not None:
            return done.passed
        try:
            return self.inner.hit(item, *identifiers, cost=cost)
        except REDIS_OUTAGES as exc:
            self._skipped("hit", exc)
            return True

    def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Whether ``cost`` more fits in ``item`` (True if Redis is out)."""
        try:
            return self.inner.test(item, *identifiers, cost=cost)
        except REDIS_OUTAGES as exc:
            self._skipped("test", exc)
            return True

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """When ``item``'s window resets and what is left of it (all of it if Redis is out)."""
        done = counted(item.key_for(*identifiers))
        if done is not None:
            return done.stats
        try:
            return self.inner.get_window_stats(item, *identifiers)
        except REDIS_OUTAGES as exc:
            self._skipped("window", exc)
            return WindowStats(time.time() + item.get_expiry(), item.amount)


class FailOpenLimiter(Limiter):
    """Flask-Limiter counting through :class:`FailOpenStrategy`, errors not swallowed."""

    _fail_open: FailOpenStrategy | None = None

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        # A request one of the filters exempts (service.limit_batch: every limit passed in
        # its one count) would be let through all the same, after Flask-Limiter resolved
        # its limits, keys and exemptions for nothing (2-3% of an intake request's CPU).
        # This is the check its before_request hook runs; its other callers go on as ever.
        if in_middleware and any(exempt() for exempt in self._request_filters):
            return
        super()._check_request_limit(callable_name, in_middleware)

    @property
    def limiter(self) -> RateLimiter:
        """The strategy every check goes through (Flask-Limiter's own included)."""
        inner = super().limiter
        if self._fail_open is None or self._fail_open.inner is not inner:
            self._fail_open = FailOpenStrategy(inner)
        return self._fail_open
