"""Wrong keys are counted per client IP; past the limit, a wrong key is answered 429.

Only credentials a client presented and that turned out wrong count: a
request without any is no failed login (a page can make a moderator's
browser send twenty bare requests with as many ``<img>`` tags), and a
malformed header is a wrong key. The key is always checked first, so a
valid key is never refused, however many failures its client's address
(shared behind a proxy or a NAT) has collected. A key carries 256 random
bits, so guessing is hopeless anyway; the limit keeps a misconfigured
client or a scanner at bay. Like the other limits it fails open on a Redis
outage (:mod:`service.fail_open`).
"""

from __future__ import annotations

import math
import time

from limits import parse_many

from commentgate.errors import RateLimitedError
from commentgate.storage.keys import find_key
from commentgate.storage.models import ApiKey
from service.deps import services
from service.limits import client_key

NAMESPACE = "auth-failures"
MAX_SECRET_LENGTH = 200  # ours are 46 characters; longer is not worth hashing


def find_presented_key(secret: str) -> ApiKey | None:
    """The live key ``secret`` names, or None once the failure is counted.

    Raises:
        RateLimitedError: the key is wrong and this client's failures exhausted a limit.
    """
    key = None
    if 0 < len(secret) <= MAX_SECRET_LENGTH:
        with services().sessions() as session:
            key = find_key(session, secret)
    if key is None:
        count_failure()
    return key


def count_failure() -> None:
    """Count one failed authentication of this client.

    Raises:
        RateLimitedError: its failures exhausted a limit (with the seconds to wait).
    """
    strategy = services().limiter.limiter
    client = client_key(services().settings)  # hashed: Redis keys never hold an IP
    for item in parse_many(services().settings.auth_failure_limits):
        if not strategy.hit(item, NAMESPACE, client):
            reset = strategy.get_window_stats(item, NAMESPACE, client)
            wait = max(1, math.ceil(reset.reset_time - time.time()))
            raise RateLimitedError("authentication failures", retry_after=wait)
