"""Every Redis key commentgate writes is built here, under one prefix."""

from __future__ import annotations

PREFIX = "commentgate"


def redis_key(*parts: str) -> str:
    """``commentgate:<part>:<part>…``, e.g. ``redis_key("captcha", id)``."""
    return ":".join((PREFIX, *parts))
