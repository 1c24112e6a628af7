"""The job that keeps the captcha pool full (see :mod:`commentgate.captcha_pool`)."""

from __future__ import annotations

import time

from commentgate.captcha import CaptchaKind, CaptchaService
from commentgate.captcha_pool import REFILL_SECONDS, fill, is_full, refill_done, refill_more
from workers import runtime


def refill_captchas() -> int:
    """The queued job: draw captchas of every kind towards a full pool; how many.

    Draws for at most ``REFILL_SECONDS``, then queues the next slice while the pool is
    not full.
    """
    rt = runtime.current()
    settings = rt.settings
    captchas = CaptchaService(
        rt.redis, settings.captcha_ttl_seconds, voice_dir=settings.captcha_voice_dir
    )
    until = time.monotonic() + REFILL_SECONDS
    size = settings.captcha_pool_size
    try:
        drawn = sum(fill(rt.redis, captchas, kind, size, until) for kind in CaptchaKind)
    except BaseException:
        refill_done(rt.redis)  # the next issue below the low-water mark asks again
        raise
    if is_full(rt.redis, size):
        refill_done(rt.redis)
    else:
        refill_more(rt.redis, rt.queue)
    return drawn
