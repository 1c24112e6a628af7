"""Per-client rate limits (Flask-Limiter on the shared Redis).

Limits fail open: if Redis cannot count, requests pass (intake still fails
closed on its own, because it cannot redeem a captcha without Redis).
"""

from __future__ import annotations

import math
import time

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from commentgate.config import Settings
from commentgate.redis_conn import limiter_storage_uri


def make_limiter(settings: Settings) -> Limiter:
    """A limiter keyed by client IP (after ProxyFix), storing counts in Redis."""
    return Limiter(
        key_func=get_remote_address,
        storage_uri=limiter_storage_uri(settings),
        storage_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        key_prefix="commentgate:ratelimit",
    )


def retry_after_seconds(limiter: Limiter) -> int:
    """Seconds until the exhausted window frees a slot (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
