"""Captchas drawn ahead of time: the pool :meth:`CaptchaService.issue` takes from.

A background job (``workers.captcha_pool.refill_captchas``) draws captchas of
each kind into Redis until the pool holds ``captcha_pool_size``; issuing takes
one and, when fewer than ``captcha_pool_low_water`` are left, asks for that
job. One flag with a TTL stands for "a refill is on its way", so a busy minute
queues one job, not one per captcha. The job draws for at most
``REFILL_SECONDS``, so filling a pool from empty never holds a worker for long;
a pool still below its low-water mark after it is asked for again by the next
captcha issued from it. A pooled captcha has no site until it is
handed out, and is dropped unread after ``POOLED_TTL_SECONDS``.
"""

from __future__ import annotations

import time

import redis
from rq import Queue

from commentgate.captcha import CaptchaKind, CaptchaService, pool_key, pooled_key
from commentgate.queue import enqueue_captcha_refill
from commentgate.redis_keys import redis_key

POOLED_TTL_SECONDS = 24 * 3600
# How long one refill request stands: a refill that never ran (no worker) is asked again.
REFILL_FLAG_SECONDS = 60
REFILL_FLAG = redis_key("captcha-pool", "refilling")
WRITE_EVERY = 20  # drawings stored per round trip
# One refill job's drawing time (about 75 captchas). The job goes to the front of the
# moderation queue, so this is also the longest the comments waiting there are held up by
# it; a pool far from full is refilled by a job like it asked for by the next issue.
REFILL_SECONDS = 0.25


def fill(
    client: redis.Redis,
    captchas: CaptchaService,
    kind: CaptchaKind,
    size: int,
    until: float | None = None,
) -> int:
    """Draw captchas of ``kind`` until its pool holds ``size`` (or ``time.monotonic()``
    passes ``until``); how many were drawn."""
    missing = max(0, size - client.llen(pool_key(kind)))
    drawn = 0
    while drawn < missing and (until is None or time.monotonic() < until):
        with client.pipeline(transaction=False) as pipe:
            for _ in range(min(WRITE_EVERY, missing - drawn)):
                captcha_id, fields = captchas.draw(kind)
                pipe.hset(pooled_key(captcha_id), mapping=fields)
                pipe.expire(pooled_key(captcha_id), POOLED_TTL_SECONDS)
                pipe.rpush(pool_key(kind), captcha_id)
                drawn += 1
            pipe.execute()
    return drawn


def refill_done(client: redis.Redis) -> None:
    """Let the next issue below the low-water mark ask for a refill again."""
    client.delete(REFILL_FLAG)


def ask_for_refill(client: redis.Redis, queue: Queue, left: int | None, low_water: int) -> bool:
    """Queue the refill job if the pool is below ``low_water`` and none is on its way."""
    if left is None or left >= low_water:
        return False
    if not client.set(REFILL_FLAG, 1, nx=True, ex=REFILL_FLAG_SECONDS):
        return False
    enqueue_captcha_refill(queue)
    return True
