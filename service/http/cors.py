"""Cross-origin access for the readers' endpoints, from each site's registered origins.

The widget runs on the host's page, so its calls are cross-origin. The rule:

* only ``/api/v1/captchas…``, ``/api/v1/comments…`` and ``/api/v1/privacy`` take part
  (never moderation);
* a request that names a site (``site`` in the query, or in a JSON body) is allowed
  from the origins registered for *that* site;
* a request that names none (preflights, which carry no body; a captcha asked
  for without a site) is allowed from an origin registered for *any* site; the
  comment that follows is still checked against its own site, by intake;
* no credentials: the widget sends no cookies and the answers never allow them.

Responses on these paths always say ``Vary: Origin``, allowed or not.
"""

from __future__ import annotations

import logging

from flask import Flask, Request, Response, request
from sqlalchemy.exc import SQLAlchemyError

from service.deps import Services, services
from service.http.errors import error_response

log = logging.getLogger(__name__)

CORS_PATHS = ("/api/v1/captchas", "/api/v1/comments", "/api/v1/privacy")
ALLOW_METHODS = "GET, POST"
ALLOW_HEADERS = "Content-Type, Accept-Language"
# The widget reads Retry-After to tell a reader when to try again.
EXPOSE_HEADERS = "Retry-After, X-Request-ID"
PREFLIGHT_MAX_AGE = "600"


def _in_scope(req: Request) -> bool:
    return req.path.startswith(CORS_PATHS)


def is_preflight(req: Request | None = None) -> bool:
    """An ``OPTIONS`` request a browser sends before a cross-origin call (the current one,
    unless ``req`` is given)."""
    req = req or request._get_current_object()
    return (
        req.method == "OPTIONS"
        and "Origin" in req.headers
        and "Access-Control-Request-Method" in req.headers
    )


def _vary_on_origin(response: Response) -> None:
    # Most answers have no Vary yet: set, it skips parsing and writing back the header
    # set that response.vary is (a tenth of a captcha picture's own work).
    if "Vary" in response.headers:
        response.vary.add("Origin")
    else:
        response.headers["Vary"] = "Origin"


def _named_site() -> str | None:
    site = request.args.get("site")
    if site is None and request.method == "POST":
        # Never raises: a body too large, too deep or not JSON names nothing.
        body = request.get_json(silent=True)
        site = body.get("site") if isinstance(body, dict) else None
    return site if isinstance(site, str) else None


def _is_allowed(origin: str, site: str | None) -> bool:
    try:
        return services().sites.allows(origin, site)
    except SQLAlchemyError as exc:
        # The answer itself reports the outage; without the header the browser hides it.
        log.warning("CORS check for %s skipped: %s", origin, exc)
        return False


def answer_preflight() -> Response | None:
    """Answer a preflight on the readers' endpoints: 204 if the origin may call, else 403."""
    req = request._get_current_object()
    if not (_in_scope(req) and is_preflight(req)):
        return None
    origin = req.headers["Origin"]
    if not _is_allowed(origin, None):
        response = error_response("forbidden", 403)
    else:
        response = Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    _vary_on_origin(response)
    return response


def add_cors_headers(response: Response) -> Response:
    """Allow the calling origin when it is registered (see the module rules)."""
    req = request._get_current_object()
    if not _in_scope(req) or is_preflight(req):
        return response
    _vary_on_origin(response)
    origin = req.headers.get("Origin")
    if origin and _is_allowed(origin, _named_site()):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


def init_app(app: Flask, svc: Services) -> None:
    """Install the CORS hooks; preflights do not count against rate limits."""
    svc.limiter.request_filter(is_preflight)
    app.before_request(answer_preflight)
    app.after_request(add_cors_headers)
