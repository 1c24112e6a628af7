"""``POST /api/v1/comments``: the door comments come in through."""

from __future__ import annotations

from flask import g, request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.captcha import Redemption
from commentgate.errors import FieldError, ValidationFailedError
from commentgate.fingerprint import author_fingerprints
from service.deps import services
from service.intake.submission import ClientInfo, submit_comment
from service.openapi_docs import error_responses
from service.schemas import CommentAccepted, CommentIn

intake = APIBlueprint("intake", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="intake")])


def _captcha_fields(payload: object) -> tuple[str, str] | None:
    if not isinstance(payload, dict):
        return None
    captcha_id, answer = payload.get("captcha_id"), payload.get("captcha_answer")
    if not isinstance(captcha_id, str) or not captcha_id.strip():
        return None
    return captcha_id.strip(), answer if isinstance(answer, str) else ""


@intake.before_request
def redeem_captcha() -> None:
    """Consume the named captcha before anything else can fail, right or wrong.

    Doing it first means a bot cannot probe answers with otherwise-broken
    requests; its verdict joins the other field errors.
    """
    g.extra_field_errors = {}
    g.redemption = None
    if request.endpoint != "intake.post_comment":
        return
    named = _captcha_fields(request.get_json(silent=True))
    if named is None:
        return
    captcha_id, answer = named
    redemption: Redemption = services().captchas.redeem(captcha_id, answer)
    g.redemption = redemption
    if not redemption.ok and (answer.strip() or redemption.error == "captcha_expired"):
        g.extra_field_errors["captcha_answer"] = FieldError(redemption.error or "")


def _client() -> ClientInfo:
    return ClientInfo(
        ip=request.remote_addr,
        user_agent=request.user_agent.string or None,
        origin=request.headers.get("Origin"),
        request_id=g.get("request_id"),
    )


@intake.post(
    "/comments",
    summary="Submit a reader's comment",
    responses={202: CommentAccepted, **error_responses(400, 403, 404, 413, 415, 422, 429, 503)},
)
def post_comment(body: CommentIn):
    """Validate, store and queue a comment; answers at once with 202."""
    if g.extra_field_errors:
        raise ValidationFailedError(g.extra_field_errors)
    issued_at = g.redemption.issued_at if g.redemption else None
    svc = services()
    client = _client()
    fingerprints = author_fingerprints(svc.settings, body.phone, client.ip)
    comment_id = submit_comment(svc.sessions, svc.queue, body, client, issued_at, fingerprints)
    return CommentAccepted(id=comment_id).model_dump(), 202
