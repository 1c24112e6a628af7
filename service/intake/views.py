"""``POST /api/v1/comments``: the door comments come in through."""

from __future__ import annotations

from flask import current_app, g, request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.captcha import CaptchaStep, TakenCaptcha
from service import captcha_step
from service.deps import Services, comment_work, services
from service.intake.redeem import named_captcha
from service.intake.submission import ClientInfo, Submission, receive_comment
from service.openapi_docs import documented_body, error_responses
from service.schemas import CommentAccepted, CommentIn

intake = APIBlueprint("intake", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="intake")])


def client_info(origin: str | None) -> ClientInfo:
    """What the request tells of its sender; ``origin`` is the Origin the caller checks."""
    return ClientInfo(
        ip=request.remote_addr,
        user_agent=request.user_agent.string or None,
        origin=origin,
        request_id=g.get("request_id"),
    )


def redeem_step(svc: Services) -> CaptchaStep | None:
    """Consuming the captcha the JSON body names, if it names one (the first step of intake)."""
    named = named_captcha(request.get_json(silent=True))
    return svc.captchas.redeem_step(named[0]) if named else None


def _taken_captcha(svc: Services) -> TakenCaptcha | None:
    """The captcha the body names, if the request's limit check consumed it already."""
    named = named_captcha(request.get_json(silent=True))
    if named is None:
        return None
    reply = captcha_step.reply_of(svc.captchas.redeem_step(named[0]))
    return TakenCaptcha(named[0], *reply) if reply is not None else None


@intake.post(
    "/comments",
    summary="Submit a reader's comment",
    responses={202: CommentAccepted, **error_responses(400, 403, 404, 413, 415, 422, 429, 503)},
)
@documented_body(CommentIn)
def post_comment():
    """Validate, store and queue a comment; answers at once with 202."""
    # receive_comment validates the body only after redeeming the captcha it names,
    # so the captcha's verdict joins the other field errors.
    submission = Submission(
        request.get_json(silent=True),
        client_info(request.headers.get("Origin")),
        _taken_captcha(services()),
    )
    with comment_work(one_statement=True) as life:
        comment_id = receive_comment(life, services(), submission)
    # Serialized by pydantic in one call: Flask's JSON provider would sort, encode and wrap
    # a dict of two keys at several times the cost, on every comment.
    body = CommentAccepted(id=comment_id).model_dump_json()
    return current_app.response_class(body, 202, mimetype="application/json")
