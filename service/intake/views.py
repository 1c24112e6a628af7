"""``POST /api/v1/comments``: the door comments come in through."""

from __future__ import annotations

from flask import g, request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.errors import ValidationFailedError
from commentgate.fingerprint import author_fingerprints
from service.deps import services
from service.intake.redeem import redeem_named_captcha
from service.intake.submission import ClientInfo, submit_comment
from service.openapi_docs import error_responses
from service.schemas import CommentAccepted, CommentIn

intake = APIBlueprint("intake", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="intake")])


@intake.before_request
def redeem_captcha() -> None:
    """Consume the named captcha before anything else can fail, right or wrong.

    Its verdict joins the other field errors (see :mod:`service.intake.redeem`).
    """
    g.extra_field_errors = {}
    g.redemption = None
    if request.endpoint != "intake.post_comment":
        return
    check = redeem_named_captcha(services().captchas, request.get_json(silent=True))
    g.redemption = check.redemption
    g.extra_field_errors = dict(check.errors)


def client_info(origin: str | None) -> ClientInfo:
    """What the request tells of its sender; ``origin`` is the Origin the caller checks."""
    return ClientInfo(
        ip=request.remote_addr,
        user_agent=request.user_agent.string or None,
        origin=origin,
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
    client = client_info(request.headers.get("Origin"))
    fingerprints = author_fingerprints(svc.settings, body.phone, client.ip)
    comment_id = submit_comment(
        svc.sessions, svc.queue, body, client, issued_at, fingerprints, policy=svc.policy
    )
    return CommentAccepted(id=comment_id).model_dump(), 202
