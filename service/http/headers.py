"""Security headers of every response, declared in one table: what each page may do.

Every response says ``X-Content-Type-Options: nosniff``. Every HTML page also gets a
Content-Security-Policy as strict as that page allows, a ``Referrer-Policy``, and,
unless it is meant to be framed, ``X-Frame-Options: DENY``. A page that matches no
row gets the strictest policy (no scripts, styles or images at all).

``same-origin`` is the referrer policy of pages that post back to us (the no-JavaScript
form, the RQ dashboard's buttons, Swagger UI's "Try it out", the widget on the demo
page): it sends nothing to other sites, yet keeps ``Origin`` on our own POSTs, which
``no-referrer`` would replace by ``null`` and so break the same-origin checks.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from service.deps import services
from service.widget.pages import framing_origins


def csp_nonce() -> str:
    """This response's script nonce (a template global: ``<script nonce="{{ csp_nonce() }}">``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def public_origin() -> str:
    """The origin of ``COMMENTGATE_PUBLIC_URL`` (captcha URLs point there), or nothing."""
    parts = urlsplit(services().settings.public_url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


# The parts of a policy that depend on the request, computed only when a policy names them.
_SOURCES: dict[str, Callable[[], str]] = {"nonce": csp_nonce, "public": public_origin}


class _Sources(dict):
    def __missing__(self, key: str) -> str:
        return _SOURCES[key]()


@dataclass(frozen=True)
class PagePolicy:
    """The CSP of a family of pages (without ``frame-ancestors``), who may frame them, and
    what they tell other sites about themselves."""

    directives: str
    referrer: str = "same-origin"
    # None: the page is never framed; else the origins besides our own that may frame it.
    framed_by: Callable[[], Iterable[str]] | None = None

    def csp(self) -> str:
        """The full Content-Security-Policy for the current request."""
        framers = ["'none'"] if self.framed_by is None else ["'self'", *self.framed_by()]
        ancestors = " ".join(framers)
        directives = self.directives.format_map(_Sources())
        return f"{directives}; base-uri 'none'; frame-ancestors {ancestors}"


POLICIES: dict[str, PagePolicy] = {
    # The no-JavaScript form: no script at all; framed by the site's registered origins.
    "/embed": PagePolicy(
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; "
        "form-action 'self'",
        framed_by=framing_origins,
    ),
    # rq-dashboard compiles underscore templates at run time ('unsafe-eval') and sets its
    # configuration in one inline script, which carries this response's nonce. Bootstrap's
    # stylesheet draws its icons from data: URLs.
    "/ops/rq": PagePolicy(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'",
    ),
    # Swagger UI: its bundle, our settings and stylesheet; "Try it out" calls the API.
    "/docs": PagePolicy(
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'",
    ),
    # A host page as a news site would carry the widget: its script, its stylesheet (a
    # <style> it inserts), captchas from COMMENTGATE_PUBLIC_URL, the form in a <noscript>;
    # its icon is an empty data: URL.
    "/demo": PagePolicy(
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
        "img-src 'self' data: {public}; media-src 'self' {public}; connect-src 'self'; "
        "frame-src 'self'; form-action 'self'",
    ),
    # The moderator console: its own modules and stylesheet only, the API on our origin;
    # no form ever submits (the sign-in form is read by the script), nothing may frame it.
    "/moderate": PagePolicy(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'none'",
    ),
}
STRICTEST = PagePolicy("default-src 'none'; form-action 'none'", referrer="no-referrer")


def policy_for(path: str) -> PagePolicy:
    """The row of :data:`POLICIES` whose prefix is a whole leading part of ``path``."""
    for prefix, policy in POLICIES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return policy
    return STRICTEST


def add_security_headers(response: Response) -> Response:
    """nosniff on everything; the page's policy on HTML."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype != "text/html":
        return response
    policy = policy_for(request.path)
    response.headers["Content-Security-Policy"] = policy.csp()
    response.headers["Referrer-Policy"] = policy.referrer
    if policy.framed_by is None:
        response.headers["X-Frame-Options"] = "DENY"
    return response


def init_app(app: Flask, svc: object = None) -> None:
    """Add the headers to every response of ``app`` and the nonce to its templates."""
    app.add_template_global(csp_nonce)
    app.after_request(add_security_headers)
