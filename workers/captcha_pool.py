"""The job that keeps the captcha pool full (see :mod:`commentgate.captcha_pool`)."""

from __future__ import annotations

from commentgate.captcha import CaptchaKind, CaptchaService
from commentgate.captcha_pool import fill, refill_done
from workers import runtime


def refill_captchas() -> int:
    """The queued job: draw captchas of every kind until each pool is full; how many."""
    rt = runtime.current()
    settings = rt.settings
    captchas = CaptchaService(
        rt.redis, settings.captcha_ttl_seconds, voice_dir=settings.captcha_voice_dir
    )
    try:
        return sum(
            fill(rt.redis, captchas, kind, settings.captcha_pool_size) for kind in CaptchaKind
        )
    finally:
        refill_done(rt.redis)
