"""One error shape for every failure: ``{"error": {"code", "message", "fields"?}}``.

Domain code raises :class:`CommentgateError`; this module maps those, HTTP
errors, validation errors and outages to JSON once. Anything unexpected is
logged with the request and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from commentgate import metrics
from commentgate.errors import (
    CommentgateError,
    FieldError,
    RateLimitedError,
    UnavailableError,
    ValidationFailedError,
    fields_from_pydantic,
)
from commentgate.messages import error_message, field_message
from commentgate.redis_conn import REDIS_OUTAGES
from service.deps import Services, services
from service.http.i18n import preferred_language
from service.limits import retry_after_seconds

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_json",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    code: str,
    status: int,
    *,
    fields: dict[str, FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The JSON error response, in the client's preferred language."""
    lang = preferred_language()
    body: dict[str, Any] = {"code": code, "message": error_message(code, lang)}
    if fields:
        body["fields"] = {
            name: {"code": f.code, "message": field_message(f.code, lang, **f.params)}
            for name, f in sorted(fields.items())
        }
    body.update(extra or {})
    response = jsonify({"error": body})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def validation_error_callback(exc: ValidationError) -> Response:
    """flask-openapi3 hook: its request validation failures in our shape."""
    return error_response("validation_failed", 422, fields=fields_from_pydantic(exc))


def _retry_after_header(exc: HTTPException) -> dict[str, str]:
    if exc.code != 429:
        return {}
    return {"Retry-After": str(retry_after_seconds(services().limiter))}


def _handle_domain(exc: CommentgateError) -> Response:
    if isinstance(exc, ValidationFailedError):
        return error_response(exc.code, exc.status, fields=exc.fields)
    headers = {}
    if isinstance(exc, UnavailableError | RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    extra = dict(exc.extra)
    headers.update(extra.pop("headers", {}))
    return error_response(exc.code, exc.status, headers=headers, extra=extra)


def _handle_http(exc: HTTPException) -> Response:
    code = _HTTP_CODES.get(exc.code or 500, "internal")
    if exc.code and exc.code >= 500:
        code = "unavailable" if exc.code == 503 else "internal"
    return error_response(code, exc.code or 500, headers=_retry_after_header(exc))


# How each dependency degrades, written down once: an outage of Redis or the
# database is the client's 503 (retry later), never a 500. Redis errors that
# are not outages (``REDIS_OUTAGES``) and database errors that did not lose the
# connection are bugs: 500.
DATABASE_OUTAGES = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def _handle_outage(exc: Exception) -> Response:
    dependency = "redis" if isinstance(exc, redis.RedisError) else "database"
    metrics.DEPENDENCY_ERRORS.labels(dependency).inc()
    log.warning("%s unavailable on %s %s: %s", dependency, request.method, request.path, exc)
    return _handle_domain(UnavailableError(f"{dependency} unavailable"))


def _handle_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response("internal", 500)


# Most specific first: ``json_error_for`` takes the first match, as Flask would.
OUTAGES: tuple[type[Exception], ...] = REDIS_OUTAGES + DATABASE_OUTAGES


def _handle_db_error(exc: DBAPIError) -> Response:
    # A dropped connection is an outage; anything else is our bug.
    if exc.connection_invalidated:
        return _handle_outage(exc)
    return _handle_unexpected(exc)


_HANDLERS: list[tuple[type[Exception], Callable[[Any], Response]]] = [
    (CommentgateError, _handle_domain),
    (ValidationError, validation_error_callback),
    (HTTPException, _handle_http),
    *((outage, _handle_outage) for outage in OUTAGES),
    (DBAPIError, _handle_db_error),
    (Exception, _handle_unexpected),
]


def init_app(app: Flask, svc: Services) -> None:
    """Install the mapping on ``app``."""
    for exc_type, handler in _HANDLERS:
        app.register_error_handler(exc_type, handler)


def json_error_for(exc: Exception) -> Response:
    """The JSON error response the app gives for ``exc`` (for pages that re-render it)."""
    handler = next(h for exc_type, h in _HANDLERS if isinstance(exc, exc_type))
    return handler(exc)
