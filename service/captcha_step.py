"""The captcha step a request's limit check ran for its view, and its reply.

:mod:`service.limit_batch` runs the step in the round trip that counts the limits and
keeps the reply here; the view asks for the reply of the step it would run itself,
and gets it only if the two are the same step (otherwise it runs its own).
"""

from __future__ import annotations

from flask import g

from commentgate.captcha import CaptchaStep


def keep(step: CaptchaStep, reply: list) -> None:
    """Remember ``reply`` as the reply of ``step`` for the rest of the request."""
    g.captcha_step = (step, reply)


def reply_of(step: CaptchaStep | None) -> list | None:
    """The reply of ``step`` if the limit check ran it (each reply is given once)."""
    done = g.pop("captcha_step", None)
    return done[1] if done is not None and step is not None and done[0] == step else None
