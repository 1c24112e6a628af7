"""Helpers that keep the OpenAPI document honest about errors, headers and auth."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from flask_openapi3.models import Header
from pydantic import BaseModel, ConfigDict

from service.schemas import ErrorOut

F = TypeVar("F", bound=Callable[..., Any])

BEARER = {"bearer": {"type": "http", "scheme": "bearer", "description": "API key"}}
SECURITY = [{"bearer": []}]

# What every authenticated operation can answer besides its own errors (422: its
# parameters; listing it also replaces flask-openapi3's own 422 shape with ours).
PROTECTED = (401, 403, 422, 429, 503)
# What every operation that reads a JSON body can answer.
BODY = (400, 413, 415, 422)

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
ETAG = {
    "ETag": {
        "description": "The comment's current version, for If-Match",
        "required": True,
        "schema": {"type": "string"},
    }
}
# Conflicts about a comment carry its current ETag; other conflicts (a taken name) do not.
ETAG_IF_COMMENT = {"ETag": {**ETAG["ETag"], "required": False}}
# Readers' pages: documented as "ETag" too (the name before "/" is the header's).
ETAG_OF_PAGE = {
    "ETag/page": {
        "description": "The answer's version: send it as If-None-Match to get 304 if unchanged",
        "required": True,
        "schema": {"type": "string"},
    }
}


@cache
def with_headers(model: type[BaseModel], headers: tuple[str, ...]) -> type[BaseModel]:
    """``model`` documented with response headers (same schema, same name)."""
    documented = {**RETRY_AFTER, **ETAG, "ETag?": ETAG_IF_COMMENT["ETag"], **ETAG_OF_PAGE}
    named = {h: h.rstrip("?").split("/")[0] for h in headers}
    config = ConfigDict(
        title=model.model_config.get("title") or model.__name__,
        openapi_extra={"headers": {named[h]: Header(**documented[h]) for h in headers}},
    )
    spelled = (h.replace("-", "").replace("?", "Maybe").replace("/", "Of") for h in headers)
    name = model.__name__ + "".join(spelled)
    return type(name, (model,), {"model_config": config, "__module__": model.__module__})


def documented_body(model: type[BaseModel]) -> Callable[[F], F]:
    """Document ``model`` as the view's JSON body, but leave reading and validating it to the view.

    For a view that must act before validation (the intake redeems a captcha
    first); the OpenAPI document is the one ``body: model`` would give.
    """

    def mark(view: F) -> F:
        view.__annotations__ = {**view.__annotations__, "body": model}
        # flask-openapi3's own switch: validation is the view's business.
        view.__delay_validate_request__ = True  # type: ignore[attr-defined]
        return view

    return mark


def optional_json_body(properties: dict[str, Any]) -> dict[str, Any]:
    """An operation's optional JSON object body, documented by hand.

    flask-openapi3 marks a body model as required, so bodies that may be absent are parsed
    in the view and described with this (as ``openapi_extensions={"requestBody": ...}``).
    """
    schema = {"type": "object", "properties": properties}
    return {"required": False, "content": {"application/json": {"schema": schema}}}


def error_responses(*statuses: int) -> dict[int, Any]:
    """Document that an operation may answer these statuses with the error shape."""
    docs: dict[int, Any] = {}
    for status in sorted(set(statuses)):
        if status in (429, 503):
            docs[status] = with_headers(ErrorOut, ("Retry-After",))
        elif status in (409, 412):
            docs[status] = with_headers(ErrorOut, ("ETag?",))
        else:
            docs[status] = ErrorOut
    return docs


def protected(*statuses: int) -> dict[int, Any]:
    """Error responses of an authenticated operation: ``statuses`` plus the usual ones."""
    return error_responses(*PROTECTED, *statuses)
