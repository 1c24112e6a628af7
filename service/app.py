"""The application factory: the one place a web process is wired together."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from flask import Flask
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from commentgate import __version__
from commentgate.captcha import CaptchaService
from commentgate.config import Settings
from commentgate.queue import moderation_queue, policy_from
from commentgate.redis_conn import connect_redis
from commentgate.sealing import data_keyring
from commentgate.site_changes import SiteChanges
from commentgate.storage.db import SessionFactory, make_engine, make_session_factory
from service import console, limits, ops, widget
from service.admin.rule_views import site_rules
from service.admin.views import admin
from service.captchas import captchas
from service.deps import EXTENSION, Services
from service.docs_page import docs_page
from service.health import health
from service.host.views import host
from service.http import cors, errors, guards, headers, request_ids
from service.http.errors import validation_error_callback
from service.http.json_body import JsonBodyRequest
from service.intake.views import intake
from service.known_sites import KnownSites
from service.limits import AbuseLimits, make_limiter
from service.moderation.ban_views import bans
from service.moderation.site_views import moderated_sites
from service.moderation.views import moderation
from service.openapi_docs import BEARER
from service.ops import instrumentation
from service.public import public
from service.schemas import ErrorOut
from service.widget import embed

log = logging.getLogger(__name__)


class CommentgateAPI(OpenAPI):
    """flask-openapi3's app, merging operations when two blueprints share a path.

    Intake (POST) and public reads (GET) both live at ``/api/v1/comments``;
    upstream replaces the whole path item, which would drop one of them from
    the document.
    """

    # Every reader of a JSON body shares one depth-capped parse (service.http.json_body).
    request_class = JsonBodyRequest

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync_callables: set = set()

    def ensure_sync(self, func):
        # Flask asks this of every hook and view on every request (seventeen times for a
        # comment), and inspecting a function each time is a visible share of intake's
        # CPU. A function's answer never changes; the set is capped in case some caller
        # hands over a new closure each time.
        if func in self._sync_callables:
            return func
        sync = super().ensure_sync(func)
        if sync is func and len(self._sync_callables) < 1024:
            self._sync_callables.add(func)
        return sync

    def register_api(self, api, **options):
        for uri, item in api.paths.items():
            if uri in self.paths:
                ours = {k: v for k, v in item.model_dump(exclude_none=True).items() if v}
                api.paths[uri] = self.paths[uri].model_copy(
                    update={k: getattr(item, k) for k in ours}
                )
        super().register_api(api, **options)


def _services(settings: Settings, redis_client, sessions) -> Services:
    client = redis_client if redis_client is not None else connect_redis(settings)
    if sessions is None:
        engine = make_engine(settings.resolved_database_url(), settings.db_statement_timeout_ms)
        sessions = make_session_factory(engine)
    return Services(
        settings=settings,
        sessions=sessions,
        redis=client,
        queue=moderation_queue(client),
        captchas=CaptchaService(
            client,
            settings.captcha_ttl_seconds,
            voice_dir=settings.captcha_voice_dir,
            pooled=settings.captcha_pool_size > 0,
        ),
        limiter=make_limiter(settings),
        keyring=data_keyring(settings),
        sites=KnownSites(sessions, SiteChanges(client)),
        policy=policy_from(settings),
    )


def _apply_limits(app: Flask, svc: Services) -> None:
    limits = AbuseLimits(svc.settings, svc.sites)
    limits.apply(svc.limiter, (intake, captchas, embed))
    svc.limiter.limit(svc.settings.read_rate_limits)(public)


def _register_api(app: Flask, svc: Services) -> None:
    for blueprint in (
        intake,
        captchas,
        public,
        moderation,
        moderated_sites,
        bans,
        admin,
        site_rules,
        host,
    ):
        app.register_api(blueprint)
    app.register_blueprint(health)


def _register_docs(app: Flask, svc: Services) -> None:
    app.register_blueprint(docs_page)
    app.add_url_rule("/openapi.json", "openapi_json", lambda: app.api_doc)


# Each part wires itself into the app with init_app(app, services), in this order: a
# request gets its id, then its log context and timing, before the limiter may refuse it
# (a refused request is logged and counted too); the guards run after the limiter.
WIRING: tuple[Callable[[Flask, Services], None], ...] = (
    request_ids.init_app,
    instrumentation.init_app,
    limits.init_app,
    _apply_limits,
    ops.init_app,
    guards.init_app,
    headers.init_app,
    cors.init_app,
    errors.init_app,
    _register_api,
    widget.init_app,
    console.init_app,
    _register_docs,
)


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
    svc = _services(settings, redis_client, sessions)
    app.extensions[EXTENSION] = svc
    for init_app in WIRING:
        init_app(app, svc)
    return app
