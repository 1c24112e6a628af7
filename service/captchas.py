"""Captchas for the comment form: issue one, draw it, read it aloud."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

import redis
from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import ValidationError

from commentgate import metrics
from commentgate.captcha import CaptchaKind, CaptchaStep, Challenge
from commentgate.captcha_pool import ask_for_refill
from commentgate.errors import FieldError, NotFoundError, ValidationFailedError
from commentgate.text import clean_text
from service import captcha_step
from service.deps import Services, services
from service.http.errors import DATABASE_OUTAGES
from service.openapi_docs import error_responses, optional_json_body
from service.schemas import CaptchaIn, CaptchaMediaQuery, CaptchaOut, CaptchaPath, CaptchaQuery

log = logging.getLogger(__name__)

captchas = APIBlueprint("captchas", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="captcha")])

# The body is optional: no body means an image captcha.
CAPTCHA_BODY_DOC = optional_json_body(
    {
        "kind": {
            "type": "string",
            "enum": [k.value for k in CaptchaKind],
            "default": CaptchaKind.IMAGE.value,
            "description": "audio: seven digits, drawn and also read aloud",
        },
        "site": {"type": "string", "description": "Optional; if given, the query's site"},
    }
)


def _base_url() -> str:
    return services().settings.public_url.rstrip("/") or request.host_url.rstrip("/")


def captcha_out(challenge: Challenge, site: str) -> CaptchaOut:
    """The public description of a fresh captcha, with absolute URLs.

    The URLs name the captcha's site, so drawing and reading it aloud count
    against that site's limits as issuing it did.
    """
    prefix = f"{_base_url()}/api/v1/captchas/{challenge.id}"
    query = f"?{urlencode({'site': site})}"
    audio = f"{prefix}/audio.wav{query}" if challenge.kind is CaptchaKind.AUDIO else None
    return CaptchaOut(
        id=challenge.id,
        kind=challenge.kind,
        image_url=f"{prefix}/image.png{query}",
        audio_url=audio,
        expires_in=challenge.expires_in,
    )


def issue_captcha(kind: CaptchaKind, site: str) -> Challenge:
    """A captcha for ``site``, from the pool when it holds one; a pool running low is refilled.

    Raises:
        redis.RedisError: the captcha could not be stored (the refill is best effort).
    """
    svc = services()
    taken = captcha_step.reply_of(svc.captchas.take_step(kind, site))
    challenge = svc.captchas.issue(kind, site=site, taken=taken)
    metrics.CAPTCHAS.labels("issued").inc()
    try:
        low_water = svc.settings.captcha_pool_low_water
        ask_for_refill(svc.redis, svc.queue, challenge.pool_left, low_water)
    except redis.RedisError as exc:
        # Issuing still works with an empty pool: captchas are then drawn on demand.
        log.warning("captcha pool refill not queued: %s", exc)
    return challenge


def _require_site(name: str) -> None:
    """Refuse a captcha for a site nobody registered, as the comment would be.

    Raises:
        UnknownSiteError: ``name`` names no registered site.
    """
    try:
        services().sites.get(name)
    except DATABASE_OUTAGES as exc:
        # Captchas need only Redis: bound to a name we cannot check, the captcha still
        # redeems only for a comment naming that site, which intake looks up itself.
        log.warning("captcha for %r issued without checking the site: %s", name, exc)


def _same_site_in_body(site: str, body: object) -> None:
    """A ``site`` in the body must be the query's, which the captcha is bound to.

    Limits count the body's site when it names one: were they two, a bot could
    count one site's captchas against another site's limits.

    Raises:
        ValidationFailedError: the body names another site.
    """
    named = body.get("site") if isinstance(body, Mapping) else None
    if named is not None and (not isinstance(named, str) or clean_text(named) != site):
        raise ValidationFailedError({"site": FieldError("invalid")})


def _wanted_kind(site: str) -> CaptchaKind:
    """The kind of captcha the request's body asks for, for ``site``.

    Raises:
        ValidationError: the body's kind is not one.
        ValidationFailedError: the body names another site.
    """
    body = request.get_json(silent=True) or {}
    kind = CaptchaIn.model_validate(body).kind
    _same_site_in_body(site, body)
    return kind


def take_step(svc: Services) -> CaptchaStep | None:
    """Taking a pooled captcha, for an issue request that will be answered 201 (the site is
    known, the body well-formed): a request refused later would have taken it for nothing."""
    try:
        site = CaptchaQuery.model_validate(request.args.to_dict()).site
        kind = _wanted_kind(site)
    except (ValidationError, ValidationFailedError):
        return None
    return svc.captchas.take_step(kind, site) if site in svc.sites else None


def media_step(svc: Services) -> CaptchaStep | None:
    """Reading the picture or sound a request asks for."""
    part = "audio" if request.endpoint == "captchas.captcha_audio" else "image"
    return svc.captchas.media_step((request.view_args or {})["captcha_id"], part)


@captchas.post(
    "/captchas",
    summary="Issue a one-time captcha (image, or digits that can also be heard)",
    responses={201: CaptchaOut, **error_responses(400, 404, 413, 415, 422, 429, 503)},
    openapi_extensions={"requestBody": CAPTCHA_BODY_DOC},
)
def create_captcha(query: CaptchaQuery):
    """A new captcha; its answer is kept server-side until first use or expiry."""
    kind = _wanted_kind(query.site)
    _require_site(query.site)
    challenge = issue_captcha(kind, query.site)
    return captcha_out(challenge, query.site).model_dump(exclude_none=True), 201


@captchas.get(
    "/captchas/<captcha_id>/image.png",
    summary="The captcha's picture",
    responses={200: {"content": {"image/png": {}}}, **error_responses(404, 422, 429, 503)},
)
def captcha_image(path: CaptchaPath, query: CaptchaMediaQuery):
    """PNG of a live captcha; 404 once it was used or expired.

    ``site`` only chooses the limits the request counts against; it is not
    looked up, so drawing stays Redis only (issuing checked it).
    """
    captchas_ = services().captchas
    read = captcha_step.reply_of(captchas_.media_step(path.captcha_id, "image"))
    png = captchas_.image(path.captcha_id, read)
    if png is None:
        raise NotFoundError(path.captcha_id)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@captchas.get(
    "/captchas/<captcha_id>/audio.wav",
    summary="An audio captcha's digits, read aloud",
    responses={200: {"content": {"audio/wav": {}}}, **error_responses(404, 422, 429, 503)},
)
def captcha_audio(path: CaptchaPath, query: CaptchaMediaQuery):
    """WAV of a live audio captcha; 404 once used or expired, or for an image captcha.

    ``site`` only chooses the limits, as for the image.
    """
    captchas_ = services().captchas
    read = captcha_step.reply_of(captchas_.media_step(path.captcha_id, "audio"))
    wav = captchas_.audio(path.captcha_id, read)
    if wav is None:
        raise NotFoundError(path.captcha_id)
    return Response(wav, mimetype="audio/wav", headers={"Cache-Control": "no-store"})
