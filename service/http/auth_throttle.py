"""Failed authentications are counted per client IP; past the limit the API answers 429.

A key carries 256 random bits, so guessing is hopeless anyway; the limit keeps
a misconfigured client or a scanner from hammering the database. Like the
other limits it fails open: when Redis cannot count, requests pass.
"""

from __future__ import annotations

import logging
import math
import time

import redis
from limits import parse_many

from commentgate.errors import RateLimitedError
from service.deps import services
from service.limits import client_key

log = logging.getLogger(__name__)
NAMESPACE = "auth-failures"


def _strategy():
    return services().limiter.limiter


def _client() -> str:
    return client_key(services().settings)  # hashed: Redis keys never hold an IP


def _items():
    return parse_many(services().settings.auth_failure_limits)


def check_not_throttled() -> None:
    """Refuse a client whose failed attempts exhausted a limit.

    Raises:
        RateLimitedError: too many failures lately (with the seconds to wait).
    """
    try:
        for item in _items():
            if not _strategy().test(item, NAMESPACE, _client()):
                reset = _strategy().get_window_stats(item, NAMESPACE, _client())
                wait = max(1, math.ceil(reset.reset_time - time.time()))
                raise RateLimitedError("authentication failures", retry_after=wait)
    except (redis.RedisError, OSError) as exc:
        log.warning("cannot check authentication failures (%s); letting it pass", exc)


def count_failure() -> None:
    """Count one failed authentication of this client."""
    try:
        for item in _items():
            _strategy().hit(item, NAMESPACE, _client())
    except (redis.RedisError, OSError) as exc:
        log.warning("cannot count an authentication failure (%s)", exc)
