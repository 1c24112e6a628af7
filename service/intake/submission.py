"""Accepting a comment, the one path for both doors (JSON API and no-JavaScript form).

The database is the source of truth. Once the comment is committed we answer
202 even if Redis refuses the job: the sweep re-queues anything left in
``received``, so an accepted comment is never lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pydantic import ValidationError

from commentgate.captcha import TakenCaptcha
from commentgate.comments.lifecycle import CommentLifecycle
from commentgate.consent import consent_record
from commentgate.errors import (
    FieldError,
    ForbiddenError,
    ValidationFailedError,
    fields_from_pydantic,
)
from commentgate.fingerprint import AuthorFingerprints, normalized_fingerprints
from commentgate.links import has_link
from commentgate.storage.comments import NewComment
from commentgate.storage.models import utcnow
from commentgate.storage.sites import SiteEntry, normalize_origin
from service.deps import Services
from service.intake.redeem import redeem_named_captcha
from service.schemas import CommentIn


@dataclass(frozen=True)
class ClientInfo:
    """What we know of the sender besides the form."""

    ip: str | None
    user_agent: str | None
    origin: str | None
    request_id: str | None = None


def check_origin(site: SiteEntry, origin: str | None) -> None:
    """A browser request must come from one of the site's registered origins.

    Raises:
        ForbiddenError: the ``Origin`` header names another origin.
    """
    if origin and normalize_origin(origin) not in site.origin_set():
        raise ForbiddenError(f"origin {origin} not registered for {site.name}")


def site_for(svc: Services, name: str, origin: str | None) -> SiteEntry:
    """The site a comment names, from the process's cache, checked against ``origin``.

    An origin the cached site lacks is checked again against the database
    before it is refused: one registered a moment ago is let in at once.

    Raises:
        UnknownSiteError: no such site is registered.
        ForbiddenError: the ``Origin`` header names another origin.
    """
    site = svc.sites.get(name)
    try:
        check_origin(site, origin)
    except ForbiddenError:
        site = svc.sites.get(name, fresh=True)
        check_origin(site, origin)
    return site


def _new_comment(
    site: SiteEntry,
    form: CommentIn,
    client: ClientInfo,
    issued_at: float | None,
    fingerprints: AuthorFingerprints,
    phone_sealed: str | None,
) -> NewComment:
    return {
        "site_id": site.id,
        "article": form.article,
        "name": form.name,
        "phone_sealed": phone_sealed,
        "title": form.title,
        "content": form.content,
        "ip": client.ip,
        "user_agent": (client.user_agent or "")[:300] or None,
        "honeypot": form.website,
        "submit_seconds": round(time.time() - issued_at, 3) if issued_at else None,
        "phone_hmac": fingerprints.phone_hmac,
        "ip_hmac": fingerprints.ip_hmac,
        "has_link": has_link(form.title, form.content),
    }


@dataclass(frozen=True)
class Submission:
    """A comment request as either door received it: its fields, unchecked, and its sender."""

    fields: object
    client: ClientInfo
    taken: TakenCaptcha | None = None  # the captcha, if the limit check consumed it already


def validated_form(fields: object, captcha_errors: dict[str, FieldError]) -> CommentIn:
    """The submission's fields as a :class:`CommentIn`, or every problem at once.

    Raises:
        ValidationFailedError: a field is wrong, or the captcha's answer is (both reported).
    """
    try:
        if isinstance(fields, str):  # a JSON body that is one string of JSON
            form = CommentIn.model_validate_json(fields)
        else:
            form = CommentIn.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailedError({**fields_from_pydantic(exc), **captcha_errors}) from None
    if captcha_errors:
        raise ValidationFailedError(dict(captcha_errors))
    return form


def receive_comment(life: CommentLifecycle, svc: Services, submission: Submission) -> str:
    """Redeem the named captcha, validate, fingerprint, then store the comment as
    ``received`` (its scoring is queued once the caller's unit of work commits).

    The captcha is redeemed before anything else can fail, right or wrong, so a
    bot cannot probe answers with otherwise broken requests.

    Raises:
        ValidationFailedError: see :func:`validated_form`; or the site asks consent
            and the form does not give it (``consent_required``).
        UnknownSiteError: the form names no registered site.
        ForbiddenError: the request came from an unregistered origin.
    """
    check = redeem_named_captcha(svc.captchas, submission.fields, submission.taken)
    form = validated_form(submission.fields, check.errors)
    client = submission.client
    fingerprints = normalized_fingerprints(svc.settings, form.phone, client.ip)
    site = site_for(svc, form.site, client.origin)
    consent = consent_record(site, form.consent, form.phone is not None, utcnow())
    sealed = svc.keyring.seal(form.phone) if form.phone else None
    comment = _new_comment(site, form, client, check.issued_at, fingerprints, sealed)
    return life.accept({**comment, **consent}, site.name)
