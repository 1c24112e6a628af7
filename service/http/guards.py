"""Checks every API request passes before a view sees it."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from commentgate.errors import (
    FieldError,
    NotFoundError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
)
from service.deps import Services

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def require_json_body() -> None:
    """API bodies are JSON or nothing: 415 for other types, 400 when unparsable, 422 with NUL.

    Raises:
        UnsupportedMediaTypeError: a body that is not ``application/json``.
        BadJsonError: a JSON body that does not parse, or nests too deep
            (see :mod:`service.http.json_body`).
        ValidationFailedError: a string in it, a name or a value at any depth, holds NUL.
    """
    if request.method not in _BODY_METHODS or not request.path.startswith("/api/"):
        return
    if not _has_body():
        return
    if not request.is_json:
        raise UnsupportedMediaTypeError(request.mimetype)
    parsed = request.get_json()  # the request's one parse, shared with every other reader
    # Refused here, once, for every API: PostgreSQL cannot hold NUL, not even to look it up.
    bad = _fields_holding_nul(parsed)
    if bad:
        raise ValidationFailedError(bad)


def _fields_holding_nul(parsed: Any) -> dict[str, FieldError]:
    """The body's top-level fields with NUL in their name or anywhere in their value."""
    if not isinstance(parsed, dict):
        return {"body": FieldError("invalid")} if _holds_nul(parsed) else {}
    return {
        name: FieldError("invalid")
        for name, value in parsed.items()
        if _holds_nul(name) or _holds_nul(value)
    }


def _holds_nul(value: Any) -> bool:
    """Whether any string in a parsed JSON value (object keys too) holds NUL."""
    # A loop, not recursion: JSON may nest as deep as the parser allowed.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def reject_nul_bytes() -> None:
    """NUL never belongs in a path or query value (and PostgreSQL cannot store it).

    Raises:
        NotFoundError: the path holds one (no such resource can exist).
        ValidationFailedError: a query parameter holds one.
    """
    if "\x00" in request.path:
        raise NotFoundError("NUL in path")
    bad = {
        name: FieldError("invalid")
        for name, value in request.args.items(multi=True)
        if "\x00" in value or "\x00" in name
    }
    if bad:
        raise ValidationFailedError(bad)


def init_app(app: Flask, svc: Services) -> None:
    """Run the checks before every view (after the rate limiter)."""
    app.before_request(reject_nul_bytes)
    app.before_request(require_json_body)
