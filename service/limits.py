"""Abuse limits (Flask-Limiter on the shared Redis): per client IP and per site.

Captchas and comments each count two limits: one per client IP, one for all
clients of a site together. Both default from settings and a site can have
its own (``COMMENTGATE_SITE_LIMITS``). The site is the ``site`` field of a
JSON or form body, or the ``site`` query parameter (the widget sends it with
its captcha requests, and captcha URLs carry it), cleaned as intake cleans it:
``demo\u200b`` is ``demo`` there, so it is here. A request naming no site
counts only per client IP: one count shared by every such request would let a
single busy site, or a handful of clients, refuse every site's readers. Names
no site is registered under share one site count, so inventing names buys
nothing.

Limits fail open on a Redis outage only (see :mod:`service.fail_open`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Container, Iterable, Mapping
from functools import lru_cache

from flask import Blueprint, Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from pydantic import TypeAdapter, ValidationError
from werkzeug.exceptions import HTTPException

from commentgate.config import Settings
from commentgate.netaddr import client_group
from commentgate.redis_conn import limiter_storage_uri
from service.deps import Services
from service.fail_open import FailOpenLimiter
from service.http.json_body import IGNORED_BODY_METHODS
from service.schemas import SiteName

NO_SITE = "-"  # what a request naming no site is for
# Two counters per limit (this window and the last, weighted by how much of it is still
# inside the sliding minute or hour): O(1) in Redis and one script call per check, where
# the moving window keeps a list entry per request (up to 5000 for a site's hourly limit)
# and the fixed window lets a client spend two windows' worth across a boundary.
# Measured choice: docs/operations.md#rate-limits.
STRATEGY = "sliding-window-counter"
UNKNOWN_SITES = "unknown-sites"  # the one site count of every name no site is registered under
_SITE_NAME: TypeAdapter[str] = TypeAdapter(SiteName)  # intake's own cleaning and checks


def client_key(settings: Settings) -> str:
    """The client's IP, keyed-hashed: Redis keys never hold a reader's address.

    Worked out once a request: every limit check of the request asks for it.
    """
    key = g.get("client_key")
    if key is None:
        key = g.client_key = _hashed_client(settings.resolved_secret_key(), get_remote_address())
    return key


@lru_cache(maxsize=4096)
def _hashed_client(secret: bytes, address: str | None) -> str:
    # Remembered for the clients seen last: a reader sends a captcha, its picture and a
    # comment, each counted by this key (bench/README.md, intake).
    group = (client_group(address or "") or "-").encode()  # IPv6: its /64
    return hmac.new(secret, group, hashlib.sha256).hexdigest()[:20]


def make_limiter(settings: Settings) -> Limiter:
    """A limiter keyed by hashed client IP (after ProxyFix), counting in Redis."""
    return FailOpenLimiter(
        key_func=lambda: client_key(settings),
        storage_uri=limiter_storage_uri(settings),
        storage_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        strategy=STRATEGY,
        headers_enabled=True,
        swallow_errors=False,  # outages pass in FailOpenLimiter; anything else is a bug
        key_prefix="commentgate:ratelimit",
    )


def init_app(app: Flask, svc: Services) -> None:
    """Count requests against the limits before the views run."""
    from service import limit_batch  # it builds on this module

    limit_batch.init_app(app, svc)  # first: Flask-Limiter's checks read its counts
    svc.limiter.init_app(app)


def _named_site() -> str | None:
    """The site the request names, as sent; never raises (a bad body names nothing)."""
    payload = None
    if request.method not in IGNORED_BODY_METHODS:
        if request.is_json:
            payload = request.get_json(silent=True)
        else:
            try:
                payload = request.form
            except HTTPException:  # too large: its own answer comes later
                payload = None
    name = payload.get("site") if isinstance(payload, Mapping) else None
    return name if isinstance(name, str) else request.args.get("site")


def requested_site() -> str:
    """The site a request is for, cleaned as intake cleans it (``NO_SITE`` when it names none).

    A name intake refuses (blank once cleaned, too long) comes back as sent: it is the
    name of no registered site.
    """
    site = g.get("requested_site")  # asked by every limit check: one lookup when known
    if site is None:
        site = g.requested_site = _cleaned_site(_named_site())
    return site


def _cleaned_site(name: str | None) -> str:
    if name is None or not name.strip():
        return NO_SITE
    try:
        return _SITE_NAME.validate_python(name)
    except ValidationError:
        return name


def names_no_site() -> bool:
    """Whether the request names no site, so has no site limit to count against."""
    return requested_site() == NO_SITE


class AbuseLimits:
    """The per-IP and per-site limits of the current request's site."""

    def __init__(self, settings: Settings, known_sites: Container[str]) -> None:
        self._settings = settings
        self._known = known_sites
        # Each site's (per-client, per-site) limits with the defaults filled in, worked
        # out once: every limit check asks, and a settings model is slow to read.
        self._default = (settings.rate_limits, settings.site_rate_limits)
        self._own_limits = {
            site: (own.ip or self._default[0], own.site or self._default[1])
            for site, own in settings.site_limits.items()
        }

    def limits_of(self, site: str) -> tuple[str, str]:
        """The (per-client, per-site) limits of ``site``, a name :func:`requested_site` gave."""
        return self._own_limits.get(site, self._default)

    def ip_limit(self) -> str:
        """Limits on one client of the request's site."""
        return self.limits_of(requested_site())[0]

    def site_limit(self) -> str:
        """Limits on all clients of the request's site together."""
        return self.limits_of(requested_site())[1]

    def ip_key(self) -> str:
        """What the per-client limit counts under: the hashed IP (per site if it has its own)."""
        return self.ip_key_of(requested_site())

    def ip_key_of(self, site: str) -> str:
        """:meth:`ip_key` for a request for ``site``."""
        # Only a site with limits of its own counts its clients apart; any
        # other site name shares the client's one count, so inventing site
        # names cannot buy a bot more tries.
        prefix = f"{site}:" if site in self._own_limits else ""
        return prefix + client_key(self._settings)

    def site_key(self) -> str:
        """What the per-site limit counts under: the site, or the count all unknown names share."""
        return self.site_key_of(requested_site())

    def site_key_of(self, site: str) -> str:
        """:meth:`site_key` for a request for ``site``."""
        if site in self._own_limits or site in self._known:
            return "site:" + site
        return UNKNOWN_SITES

    def apply(self, limiter: Limiter, blueprints: Iterable[Blueprint]) -> None:
        """Put both limits on each blueprint; the site limit only where a site is named."""
        for blueprint in blueprints:
            limiter.limit(self.ip_limit, key_func=self.ip_key)(blueprint)
            limiter.limit(self.site_limit, key_func=self.site_key, exempt_when=names_no_site)(
                blueprint
            )


def retry_after_seconds(limiter: Limiter) -> int:
    """Seconds until the exhausted window frees a slot (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
