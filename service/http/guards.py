"""Checks every API request passes before a view sees it."""

from __future__ import annotations

import json

from flask import request

from commentgate.errors import BadJsonError, UnsupportedMediaTypeError

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def require_json_body() -> None:
    """API bodies are JSON or nothing: 415 for other types, 400 when unparsable.

    Raises:
        UnsupportedMediaTypeError: a body that is not ``application/json``.
        BadJsonError: a JSON body that does not parse.
    """
    if request.method not in _BODY_METHODS or not request.path.startswith("/api/"):
        return
    if not _has_body():
        return
    if not request.is_json:
        raise UnsupportedMediaTypeError(request.mimetype)
    try:
        json.loads(request.get_data(cache=True))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJsonError(str(exc)) from exc
