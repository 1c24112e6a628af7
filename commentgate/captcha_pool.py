"""Captchas drawn ahead of time: the pool :meth:`CaptchaService.issue` takes from.

A background job (``workers.captcha_pool.refill_captchas``) draws captchas of
each kind into Redis until the pool holds ``captcha_pool_size``; issuing takes
one and, when fewer than ``captcha_pool_low_water`` are left, asks for that
job. One flag with a TTL stands for "a refill is on its way", so a busy minute
queues one job, not one per captcha. The job draws for at most
``REFILL_SECONDS``, so no refill holds a worker for long; while the pool is not
full yet it queues its own next slice behind the jobs waiting by then (the
flag stays up), so a pool emptied by a burst fills up again between comments.
A pooled captcha has no site until it is handed out, and is dropped unread
after ``POOLED_TTL_SECONDS``.
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
# One refill job's drawing time (about 75 captchas): the longest the comments queued behind
# it wait for it. The first slice goes to the front of the moderation queue (the pool is
# low), the next ones to the back.
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


def is_full(client: redis.Redis, size: int) -> bool:
    """Whether the pool of every kind holds ``size`` captchas."""
    with client.pipeline(transaction=False) as pipe:
        for kind in CaptchaKind:
            pipe.llen(pool_key(kind))
        return all(held >= size for held in pipe.execute())


def refill_done(client: redis.Redis) -> None:
    """Let the next issue below the low-water mark ask for a refill again."""
    client.delete(REFILL_FLAG)


def refill_more(client: redis.Redis, queue: Queue) -> None:
    """Queue the next slice of a refill behind the jobs waiting now; the flag stays up."""
    client.set(REFILL_FLAG, 1, ex=REFILL_FLAG_SECONDS)
    enqueue_captcha_refill(queue, at_front=False, next_slice=True)


def ask_for_refill(client: redis.Redis, queue: Queue, left: int | None, low_water: int) -> bool:
    """Queue the refill job if the pool is below ``low_water`` and none is on its way."""
    if left is None or left >= low_water:
        return False
    if not client.set(REFILL_FLAG, 1, nx=True, ex=REFILL_FLAG_SECONDS):
        return False
    enqueue_captcha_refill(queue)
    return True
