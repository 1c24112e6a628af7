"""The application factory: the one place a web process is wired together."""

from __future__ import annotations

import logging
import re
import secrets

import redis
from flask import g, request
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from commentgate import __version__
from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.queue import moderation_queue, policy_from
from commentgate.redis_conn import connect_redis
from commentgate.storage.db import SessionFactory, make_engine, make_session_factory
from service.admin.views import admin
from service.captchas import captchas
from service.deps import EXTENSION, Services
from service.docs_page import docs_page
from service.health import health
from service.host.views import host
from service.http.cors import init_cors
from service.http.errors import register_error_handlers, validation_error_callback
from service.http.guards import reject_nul_bytes, require_json_body
from service.http.headers import init_security_headers
from service.http.json_body import JsonBodyRequest
from service.intake.views import intake
from service.known_sites import KnownSites
from service.limits import AbuseLimits, make_limiter
from service.moderation.ban_views import bans
from service.moderation.views import moderation
from service.openapi_docs import BEARER
from service.ops import install_ops
from service.ops.instrumentation import instrument
from service.public import public
from service.schemas import ErrorOut
from service.widget import embed, init_widget

log = logging.getLogger(__name__)


class CommentgateAPI(OpenAPI):
    """flask-openapi3's app, merging operations when two blueprints share a path.

    Intake (POST) and public reads (GET) both live at ``/api/v1/comments``;
    upstream replaces the whole path item, which would drop one of them from
    the document.
    """

    # Every reader of a JSON body shares one depth-capped parse (service.http.json_body).
    request_class = JsonBodyRequest

    def register_api(self, api, **options):
        for uri, item in api.paths.items():
            if uri in self.paths:
                ours = {k: v for k, v in item.model_dump(exclude_none=True).items() if v}
                api.paths[uri] = self.paths[uri].model_copy(
                    update={k: getattr(item, k) for k in ours}
                )
        super().register_api(api, **options)


def _services(settings: Settings, redis_client, sessions, app) -> Services:
    client = redis_client if redis_client is not None else connect_redis(settings)
    if sessions is None:
        engine = make_engine(settings.resolved_database_url(), settings.db_statement_timeout_ms)
        sessions = make_session_factory(engine)
    limiter = make_limiter(settings)
    limiter.init_app(app)
    return Services(
        settings=settings,
        sessions=sessions,
        redis=client,
        queue=moderation_queue(client),
        captchas=CaptchaService(
            client, settings.captcha_ttl_seconds, voice_dir=settings.captcha_voice_dir
        ),
        limiter=limiter,
        policy=policy_from(settings),
    )


def _apply_limits(svc: Services) -> None:
    limits = AbuseLimits(svc.settings, KnownSites(svc.sessions))
    limits.apply(svc.limiter, (intake, captchas, embed))
    svc.limiter.limit(svc.settings.read_rate_limits)(public)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _assign_request_id() -> None:
    # A caller's id is kept only in the shape trace ids have: it travels into logs, job
    # metadata and the RQ dashboard, which prints job metadata as HTML.
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


def _echo_request_id(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def create_app(
    settings: Settings | None = None,
    *,
    redis_client: redis.Redis | None = None,
    sessions: SessionFactory | None = None,
) -> OpenAPI:
    """Build the web app; clients may be passed in (tests), else built from settings."""
    settings = settings or Settings()
    app = CommentgateAPI(
        __name__,
        info=Info(title="commentgate", version=__version__),
        security_schemes=BEARER,
        doc_prefix="",
        doc_url="/openapi.json",
        doc_ui=False,
        validation_error_status=422,
        validation_error_model=ErrorOut,
        validation_error_callback=validation_error_callback,
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    # Before the limiter's own check, so a request it refuses has an id and a timing too.
    app.before_request(_assign_request_id)
    instrument(app)
    svc = _services(settings, redis_client, sessions, app)
    app.extensions[EXTENSION] = svc
    _apply_limits(svc)
    install_ops(app, svc)
    app.before_request(reject_nul_bytes)
    app.before_request(require_json_body)
    app.after_request(_echo_request_id)
    init_security_headers(app)
    init_cors(app, svc.limiter)
    register_error_handlers(app)
    for blueprint in (intake, captchas, public, moderation, bans, admin, host):
        app.register_api(blueprint)
    app.register_blueprint(health)
    init_widget(app)
    app.register_blueprint(docs_page)
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)
    return app
