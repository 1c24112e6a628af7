"""The RQ dashboard at ``/ops/rq``, behind HTTP Basic with an ops or admin key.

The password is an API key whose role is ``ops`` or ``admin`` (any user
name) for every site: the dashboard shows and empties the queues of all
sites, which a key limited to some sites must not. Buttons on the
dashboard post back (requeue, delete), so a request that changes something
must come from the dashboard's own origin: a browser remembers Basic
credentials and would otherwise send them along with a forged cross-site
form.

Our own copies of its pages (``templates/rq_dashboard/``) take the place of
upstream's: they escape every job field they show, and give the one inline
script the response's CSP nonce.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request

from commentgate.config import Settings
from commentgate.domain import Role
from commentgate.errors import ForbiddenError, NotFoundError, OpsKeyRequiredError
from commentgate.redis_conn import embedded_socket
from service.deps import Services
from service.http.auth_throttle import find_presented_key
from service.http.errors import json_error_for

PREFIX = "/ops/rq"
_BLUEPRINT = "rq_dashboard"
OPS_ROLES = frozenset({Role.OPS, Role.ADMIN})
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="commentgate ops", charset="UTF-8"'}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The one dashboard action that also answers GET (upstream); it changes state.
_GET_ACTIONS = frozenset({"rq_dashboard.requeue_all"})
# Flask looks for a template in blueprints in the order they were registered: this one
# goes first, so its pages are found before rq-dashboard's own.
_OVERRIDES = Blueprint("rq_dashboard_pages", __name__, template_folder="templates")


def _import_blueprint():
    # rq-dashboard 0.9 imports `six` without declaring it; pyproject.toml does.
    from rq_dashboard import blueprint

    return blueprint


def _not_found_in_dashboard(exc: Exception):
    # A link to a job that has since expired, or to a Redis instance the dashboard was not
    # given: its views raise these. Anywhere else they stay what they were.
    if request.blueprint == _BLUEPRINT:
        return json_error_for(NotFoundError(str(exc)))
    return json_error_for(exc)


def _redis_url(settings: Settings) -> str:
    return settings.redis_url or f"unix://{embedded_socket(settings.var_dir)}"


def require_ops_key() -> None:
    """Only an ops or admin key (as the Basic password) may open the dashboard.

    Raises:
        UnauthorizedError: no credentials, or an unknown or revoked key.
        RateLimitedError: a wrong key, and this client sent too many of them lately.
        ForbiddenError: another role, a key limited to some sites, or a change requested
            from another origin.
    """
    if not request.path.startswith(PREFIX):
        return
    if "Authorization" not in request.headers:  # nothing presented: not a failed login
        raise OpsKeyRequiredError("ops key required", headers=_CHALLENGE)
    credentials = request.authorization  # None when the header does not parse
    basic = credentials is not None and credentials.type == "basic"
    key = find_presented_key((credentials.password or "") if basic else "")
    if key is None:
        raise OpsKeyRequiredError("unknown key", headers=_CHALLENGE)
    if Role(key.role) not in OPS_ROLES:
        raise ForbiddenError(f"role {key.role}")
    if key.site_id is not None:
        raise ForbiddenError("the dashboard needs a key for all sites")
    changes = request.method not in _SAFE_METHODS or request.endpoint in _GET_ACTIONS
    if changes and (request.method != "POST" or not _same_origin()):
        raise ForbiddenError("dashboard changes are same-origin POSTs")


def _same_origin() -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def init_app(app: Flask, svc: Services) -> None:
    """Serve rq-dashboard under ``/ops/rq`` on the app's own Redis connection."""
    app.config["RQ_DASHBOARD_REDIS_URL"] = [_redis_url(svc.settings)]
    app.config.setdefault("RQ_DASHBOARD_POLL_INTERVAL", 5000)
    app.redis_conn = svc.redis  # type: ignore[attr-defined]  # where the blueprint looks
    app.before_request(require_ops_key)
    from rq.exceptions import NoSuchJobError

    for missing in (NoSuchJobError, LookupError):
        app.register_error_handler(missing, _not_found_in_dashboard)
    app.register_blueprint(_OVERRIDES)
    app.register_blueprint(_import_blueprint(), url_prefix=PREFIX)
