"""The job that keeps the captcha pool full (see :mod:`commentgate.captcha_pool`)."""

from __future__ import annotations

import time

from commentgate.captcha import CaptchaKind, CaptchaService
from commentgate.captcha_pool import REFILL_SECONDS, fill, refill_done
from workers import runtime


def refill_captchas() -> int:
    """The queued job: draw captchas of every kind towards a full pool; how many.

    Draws for at most ``REFILL_SECONDS``: a pool still low is asked for again by
    the next captcha issued from it.
    """
    rt = runtime.current()
    settings = rt.settings
    captchas = CaptchaService(
        rt.redis, settings.captcha_ttl_seconds, voice_dir=settings.captcha_voice_dir
    )
    until = time.monotonic() + REFILL_SECONDS
    try:
        return sum(
            fill(rt.redis, captchas, kind, settings.captcha_pool_size, until)
            for kind in CaptchaKind
        )
    finally:
        refill_done(rt.redis)
