"""Typed errors of the domain. One handler in the web app maps them to JSON.

Each error carries a stable ``code`` and an HTTP ``status``; field errors carry
per-field codes. Messages live in :mod:`commentgate.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

_PYDANTIC_CODES = {"missing": "required", "string_too_long": "too_long", "too_long": "too_long"}


@dataclass(frozen=True)
class FieldError:
    """One field's problem: a stable code plus parameters for its message."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


class FieldValueError(ValueError):
    """A value a domain rule refuses, raised by the validators of a model's fields.

    :func:`fields_from_pydantic` reads it back as its :class:`FieldError`, so the
    rules need not know the model library's own error types.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.error = FieldError(code, params)


class CommentgateError(Exception):
    """Base of every error a client can cause or must be told about."""

    code = "internal"
    status = 500

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.code)
        self.extra = extra


class ValidationFailedError(CommentgateError):
    """One or more fields are wrong; all of them are reported together."""

    code, status = "validation_failed", 422

    def __init__(self, fields: dict[str, FieldError]) -> None:
        super().__init__(", ".join(f"{k}={v.code}" for k, v in fields.items()))
        self.fields = fields


class WebhookUrlError(ValidationFailedError):
    """A webhook URL the rules refuse; ``reason`` is its field code (invalid, not_public).

    The text holds only the code: the URL is the site admin's input, and this text ends
    up in job tracebacks that the ops dashboard shows.
    """

    def __init__(self, reason: str) -> None:
        super().__init__({"webhook_url": FieldError(reason)})
        self.reason = reason


class DataKeyError(CommentgateError):
    """A data key is malformed or missing, or a sealed value does not open with any key."""

    code, status = "data_key", 500


class BadJsonError(CommentgateError):
    code, status = "bad_json", 400


class UnsupportedMediaTypeError(CommentgateError):
    code, status = "unsupported_media_type", 415


class UnknownSiteError(CommentgateError):
    code, status = "unknown_site", 404


class NotFoundError(CommentgateError):
    code, status = "not_found", 404


class UnauthorizedError(CommentgateError):
    code, status = "unauthorized", 401


class OpsKeyRequiredError(UnauthorizedError):
    """The RQ dashboard wants an ops or admin key as an HTTP Basic password."""

    code = "ops_key_required"


class MetricsTokenRequiredError(UnauthorizedError):
    """``/metrics`` wants ``COMMENTGATE_METRICS_TOKEN`` as a Bearer token."""

    code = "metrics_token_required"


class ForbiddenError(CommentgateError):
    code, status = "forbidden", 403


class ConflictError(CommentgateError):
    """A decided comment was changed without ``If-Match``."""

    code, status = "conflict", 409


class NotDecidedError(CommentgateError):
    """Only a decided comment (approved, rejected, spam) can be reopened."""

    code, status = "not_decided", 409


class AlreadyExistsError(CommentgateError):
    """Something with this name exists already (a site)."""

    code, status = "already_exists", 409


class RuleStateError(CommentgateError):
    """A site rule cannot make that move from its state (a retired rule is kept as it was)."""

    code, status = "rule_state", 409


class NoPhoneError(CommentgateError):
    """The comment has no phone number, so its author cannot be recognised again."""

    code, status = "no_phone", 409


class AmbiguousError(CommentgateError):
    """A shortened name matches more than one thing (a key prefix on the command line)."""

    code, status = "ambiguous", 409


class PreconditionFailedError(CommentgateError):
    """``If-Match`` named a version that is no longer current."""

    code, status = "precondition_failed", 412


class RateLimitedError(CommentgateError):
    """Too many attempts (failed authentications); retry after ``retry_after`` seconds."""

    code, status = "rate_limited", 429

    def __init__(self, detail: str = "", retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class UnavailableError(CommentgateError):
    """A dependency (Redis, the database) is down; the client should retry."""

    code, status = "unavailable", 503

    def __init__(self, detail: str = "", retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class TransitionRefusedError(CommentgateError):
    """A change of a comment's status that its life does not allow: a bug, never a request."""

    code, status = "internal", 500


def fields_from_pydantic(exc: ValidationError) -> dict[str, FieldError]:
    """Field errors keyed by the field's name, first problem per field.

    The API and the command line both report a model's refusals through this,
    so the same value gets the same field code on either side.
    """
    fields: dict[str, FieldError] = {}
    for item in exc.errors():
        name = str(item["loc"][0]) if item["loc"] else "body"
        fields.setdefault(name, _field_error(item["type"], item.get("ctx") or {}))
    return fields


def _field_error(kind: str, ctx: dict[str, Any]) -> FieldError:
    if isinstance(ctx.get("error"), FieldValueError):  # one of our rules refused it
        return ctx["error"].error
    code = _PYDANTIC_CODES.get(kind, kind)
    if code == "too_long" and "field_type" in ctx:  # pydantic's, for a list: items
        code = "too_many"
    if code not in {"required", "too_long", "too_many", "phone_invalid"}:
        code = "invalid"
    return FieldError(code, _params(code, ctx))


def _params(code: str, ctx: dict[str, Any]) -> dict[str, Any]:
    # Our own validators say "max"; pydantic's length checks say "max_length".
    if code not in {"too_long", "too_many"}:
        return {}
    limit = ctx.get("max", ctx.get("max_length"))
    return {"max": limit} if limit is not None else {}
