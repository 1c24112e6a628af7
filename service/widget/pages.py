"""The no-JavaScript form's pages (form, thanks, error) and the sites that may frame them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from commentgate.captcha import CaptchaKind
from commentgate.consent import notice_view
from commentgate.errors import FieldError
from commentgate.messages import LANGUAGES, error_message, field_message
from commentgate.site_settings import PLAIN_ORIGIN
from commentgate.storage.sites import find_site
from commentgate.text import clean_text
from service.captchas import issue_captcha
from service.deps import services
from service.http.errors import OUTAGES
from service.widget.assets import widget_css
from service.widget.texts import ui_text

log = logging.getLogger(__name__)

TEXT_FIELDS = ("name", "phone", "title", "content")
# Field order on the page, so the error summary lists problems top to bottom.
FORM_ORDER = ("name", "phone", "consent", "title", "content", "captcha_answer")


@dataclass(frozen=True)
class Target:
    """Which article's form, in which language, with which kind of captcha."""

    site: str
    article: str
    lang: str
    kind: CaptchaKind = CaptchaKind.IMAGE

    def form_url(self, audio: bool | None = None) -> str:
        """The form page for this article; a fresh captcha every time it loads."""
        audio = self.kind is CaptchaKind.AUDIO if audio is None else audio
        return url_for(
            "embed.form_page",
            site=self.site,
            article=self.article,
            lang=self.lang,
            captcha="audio" if audio else None,
        )


def request_source() -> Mapping[str, str]:
    """The query of a GET, the form of a POST (empty when the body cannot be read)."""
    if request.method != "POST":
        return request.args
    try:
        return request.form
    except HTTPException:  # e.g. a body over the size limit
        return {}


def target_from(source: Mapping[str, str]) -> Target:
    """Site, article, language and captcha kind as a query or a posted form names them.

    The host page chooses the language (``lang``), as it does for the script
    widget: Vietnamese unless it asks for English.
    """
    lang = source.get("lang", "")
    kind = source.get("captcha") or source.get("captcha_kind")
    return Target(
        site=source.get("site", "").strip(),
        article=source.get("article", "").strip(),
        lang=lang if lang in LANGUAGES else "vi",
        kind=CaptchaKind.AUDIO if kind == "audio" else CaptchaKind.IMAGE,
    )


def posted_values() -> dict[str, str]:
    """What the reader typed, to put back into the form."""
    source = request_source() if request.method == "POST" else {}
    values = {name: source.get(name, "") for name in TEXT_FIELDS}
    return {**values, "consent": source.get("consent", "")}


@dataclass(frozen=True)
class Notice:
    """A message above the form: ``cg-ok`` (a status) or ``cg-bad`` (an alert)."""

    tone: str
    lines: tuple[str, ...]
    links: tuple[tuple[str, str], ...] = ()

    @property
    def role(self) -> str:
        return "status" if self.tone == "cg-ok" else "alert"

    @classmethod
    def bad(cls, code: str, lang: str, *more: str) -> Notice:
        """The message of an error code, and further lines."""
        return cls("cg-bad", (error_message(code, lang), *more))


def field_messages(fields: Mapping[str, FieldError], lang: str) -> dict[str, str]:
    """Field errors as text; a problem with the captcha's id is shown on its answer."""
    shown: dict[str, str] = {}
    for name, problem in fields.items():
        key = "captcha_answer" if name == "captcha_id" else name
        shown.setdefault(key, field_message(problem.code, lang, **problem.params))
    return shown


def _summary(errors: Mapping[str, str], lang: str) -> Notice:
    t = ui_text(lang)
    links = tuple(
        (f"#cg-{name}", f"{t['captcha' if name == 'captcha_answer' else name]}: {errors[name]}")
        for name in FORM_ORDER
        if name in errors
    )
    others = tuple(f"{name}: {text}" for name, text in errors.items() if name not in FORM_ORDER)
    return Notice("cg-bad", (error_message("validation_failed", lang), *others), links)


def _fresh_captcha(target: Target) -> dict[str, str] | None:
    site = clean_text(target.site)  # as the comment's site is cleaned when it redeems it
    if not site:
        return None  # a captcha is good for one site only, and this form names none
    try:
        challenge = issue_captcha(target.kind, site)
    except OUTAGES as exc:
        log.warning("no captcha for the form: %s", exc)
        return None
    # The URLs name the site, so drawing the captcha counts against its limits as the form did.
    urls = {"id": challenge.id}
    ids = {"captcha_id": challenge.id, "site": site}
    urls["image_url"] = url_for("captchas.captcha_image", **ids)
    urls["audio_url"] = url_for("captchas.captcha_audio", **ids)
    return urls


def _page(template: str, target: Target, **context: Any) -> str:
    return render_template(
        template, css=widget_css(), t=ui_text(target.lang), target=target, **context
    )


def render_form(
    target: Target,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: Notice | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The form with a fresh captcha, the reader's values, and errors beside their fields."""
    errors = errors or {}
    if notice is None and errors:
        notice = _summary(errors, target.lang)
    html = _page(
        "embed_form.html",
        target,
        values=values or {},
        errors=errors,
        notice=notice,
        captcha=_fresh_captcha(target),
        privacy=_privacy_notice(target.site),
        audio=target.kind is CaptchaKind.AUDIO,
        first_error=next((n for n in FORM_ORDER if n in errors), None),
    )
    return html, status


def _privacy_notice(site_name: str) -> dict[str, Any] | None:
    # The form also shows a database outage; the server still asks consent when it is back.
    try:
        with services().sessions() as session:
            site = find_site(session, site_name)
            noticed = site is not None and site.privacy_notice_version
            return notice_view(site) if noticed else None
    except SQLAlchemyError:
        return None


def render_done(target: Target) -> tuple[str, int]:
    """The thank-you page: the comment awaits moderation."""
    return _page("embed_done.html", target), 202


def render_error(
    target: Target,
    error: Mapping[str, Any],
    status: int,
    fields: Mapping[str, FieldError] | None = None,
) -> tuple[str, int]:
    """A page for an error that has no form to show it in (``error`` as the API words it;
    ``fields``, when the error carried them, with their parameters such as a limit)."""
    lines = [error_message(error["code"], target.lang)]
    if fields is None:
        fields = {name: FieldError(p["code"]) for name, p in (error.get("fields") or {}).items()}
    for name, problem in fields.items():
        lines.append(f"{name}: {field_message(problem.code, target.lang, **problem.params)}")
    back = target.form_url() if target.site and target.article else None
    return _page("embed_error.html", target, lines=lines, back=back), status


def _site_origins(site: str) -> list[str]:
    if not site:
        return []
    try:
        with services().sessions() as session:
            found = find_site(session, site)
            origins = found.origin_set() if found else set()
    except SQLAlchemyError as exc:
        log.warning("frame-ancestors without the origins of %s: %s", site, exc)
        return []
    # Only plain origins go into the header: sites set up by older releases may hold others.
    return sorted(o for o in origins if PLAIN_ORIGIN.match(o))


def framing_origins() -> list[str]:
    """The origins besides ours that may frame this request's page: its site's own."""
    return _site_origins(target_from(request_source()).site)
