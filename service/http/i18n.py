"""Which language a response speaks: Vietnamese unless the client prefers English."""

from __future__ import annotations

from flask import request

from commentgate.messages import LANGUAGES


def preferred_language() -> str:
    """``vi`` or ``en`` by ``Accept-Language`` (``vi`` when it says nothing useful)."""
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"
