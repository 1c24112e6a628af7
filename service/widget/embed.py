"""The form without JavaScript: ``GET /embed/form`` and ``POST /embed/comments``.

Meant for a host's ``<noscript><iframe>``. The POST is the JSON intake in
another dress: the same :func:`receive_comment` redeems the captcha, validates,
stores and queues, and the answers are HTML with the same status codes and
messages. Whatever fails, the reader's text comes back in the form.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from commentgate.errors import FieldError, ValidationFailedError
from commentgate.storage.sites import get_site, normalize_origin
from service.deps import comment_work, services
from service.http.errors import json_error_for
from service.intake.submission import Submission, receive_comment
from service.intake.views import client_info
from service.schemas import MAX_LENGTHS
from service.widget.pages import (
    Notice,
    Target,
    field_messages,
    posted_values,
    render_done,
    render_error,
    render_form,
    request_source,
    target_from,
)
from service.widget.texts import ui_text

embed = Blueprint("embed", __name__, url_prefix="/embed", template_folder="templates")


@embed.get("/form")
def form_page() -> tuple[str, int]:
    """A small HTML comment form with a fresh captcha.

    Raises:
        UnknownSiteError: ``site`` names no registered site.
        ValidationFailedError: ``article`` is missing, or longer than a comment may name
            (every comment sent from the form would be refused for it).
    """
    target = target_from(request.args)
    if not target.article:
        raise ValidationFailedError({"article": FieldError("required")})
    limit = MAX_LENGTHS["article"]
    if len(target.article) > limit:
        raise ValidationFailedError({"article": FieldError("too_long", {"max": limit})})
    with services().sessions() as session:
        get_site(session, target.site)
    return render_form(target)


def _own_origins() -> set[str]:
    public = services().settings.resolved_public_url()
    return {normalize_origin(request.host_url), normalize_origin(public)}


def _foreign_origin() -> str | None:
    # The form posts back to us from our own page; any other Origin is a
    # browser on another site and must be registered, as for the JSON API.
    origin = request.headers.get("Origin")
    return None if origin and normalize_origin(origin) in _own_origins() else origin


def _invalid(target: Target, fields: dict[str, FieldError]) -> tuple[str, int]:
    messages = field_messages(fields, target.lang)
    return render_form(target, values=posted_values(), errors=messages, status=422)


@embed.post("/comments")
def post_comment() -> tuple[str, int]:
    """Redeem the captcha, validate, store and queue, as ``POST /api/v1/comments`` does."""
    data = request.form.to_dict()
    target = target_from(data)
    try:
        with comment_work(one_statement=True) as life:
            receive_comment(life, services(), Submission(data, client_info(_foreign_origin())))
    except ValidationFailedError as exc:
        return _invalid(target, exc.fields)
    return render_done(target)


@embed.errorhandler(Exception)
def as_page(exc: Exception) -> tuple[str, int, dict[str, str]]:
    """Any failure as HTML, mapped as the API maps it; a failed POST keeps the reader's text."""
    answer = json_error_for(exc)
    error = answer.get_json()["error"]
    headers = {k: v for k, v in answer.headers.items() if k == "Retry-After"}
    target = target_from(request_source())
    if request.method == "POST" and target.site:
        t = ui_text(target.lang)
        notice = Notice.bad(error["code"], target.lang, t["kept"])
        page = render_form(target, values=posted_values(), notice=notice, status=answer.status_code)
        return (*page, headers)
    fields = exc.fields if isinstance(exc, ValidationFailedError) else None
    return (*render_error(target, error, answer.status_code, fields), headers)


@embed.after_request
def never_cache(response: Response) -> Response:
    """Each page holds a fresh captcha (framing rules: :mod:`service.http.headers`)."""
    response.headers["Cache-Control"] = "no-store"
    return response
