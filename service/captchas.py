"""Captchas for the comment form: issue one, draw it."""

from __future__ import annotations

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag

from commentgate.errors import NotFoundError
from service.deps import services
from service.openapi_docs import error_responses
from service.schemas import CaptchaOut, CaptchaPath

captchas = APIBlueprint("captchas", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="captcha")])


def _base_url() -> str:
    return services().settings.public_url.rstrip("/") or request.host_url.rstrip("/")


@captchas.post(
    "/captchas",
    summary="Issue a one-time captcha",
    responses={201: CaptchaOut, **error_responses(400, 413, 415, 429, 503)},
)
def create_captcha():
    """A new captcha; its answer is kept server-side until first use or expiry."""
    challenge = services().captchas.issue()
    image_url = f"{_base_url()}/api/v1/captchas/{challenge.id}/image.png"
    body = CaptchaOut(id=challenge.id, image_url=image_url, expires_in=challenge.expires_in)
    return body.model_dump(), 201


@captchas.get(
    "/captchas/<captcha_id>/image.png",
    summary="The captcha's picture",
    responses={200: {"content": {"image/png": {}}}, **error_responses(404, 503)},
)
def captcha_image(path: CaptchaPath):
    """PNG of a live captcha; 404 once it was used or expired."""
    png = services().captchas.image(path.captcha_id)
    if png is None:
        raise NotFoundError(path.captcha_id)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
