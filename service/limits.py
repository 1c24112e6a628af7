"""Abuse limits (Flask-Limiter on the shared Redis): per client IP and per site.

Captchas and comments each count two limits: one per client IP, one for all
clients of a site together. Both default from settings and a site can have
its own (``COMMENTGATE_SITE_LIMITS``). The site is the ``site`` field of a
JSON or form body, or the ``site`` query parameter (the widget sends it with
its captcha requests, and captcha URLs carry it). A request naming no site
counts only per client IP: one count shared by every such request would let a
single busy site, or a handful of clients, refuse every site's readers.

Limits fail open: if Redis cannot count, requests pass (intake still fails
closed on its own, because it cannot redeem a captcha without Redis).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Iterable, Mapping

from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from commentgate.config import Settings, SiteLimits
from commentgate.netaddr import client_group
from commentgate.redis_conn import limiter_storage_uri
from service.deps import Services

NO_SITE = "-"  # what a request naming no site is for


def client_key(settings: Settings) -> str:
    """The client's IP, keyed-hashed: Redis keys never hold a reader's address."""
    ip = (client_group(get_remote_address() or "") or "-").encode()  # IPv6: its /64
    return hmac.new(settings.resolved_secret_key(), ip, hashlib.sha256).hexdigest()[:20]


def make_limiter(settings: Settings) -> Limiter:
    """A limiter keyed by hashed client IP (after ProxyFix), counting in Redis."""
    return Limiter(
        key_func=lambda: client_key(settings),
        storage_uri=limiter_storage_uri(settings),
        storage_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        key_prefix="commentgate:ratelimit",
    )


def init_app(app: Flask, svc: Services) -> None:
    """Count requests against the limits before the views run."""
    svc.limiter.init_app(app)


def requested_site() -> str:
    """The site a request is for, as the client named it (``NO_SITE`` when it did not)."""
    payload = request.get_json(silent=True) if request.is_json else request.form
    name = payload.get("site") if isinstance(payload, Mapping) else None
    name = name if isinstance(name, str) else request.args.get("site", "")
    return name.strip()[:100] or NO_SITE


def names_no_site() -> bool:
    """Whether the request names no site, so has no site limit to count against."""
    return requested_site() == NO_SITE


class AbuseLimits:
    """The per-IP and per-site limits of the current request's site."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _own(self) -> SiteLimits:
        return self._settings.site_limits.get(requested_site()) or SiteLimits()

    def ip_limit(self) -> str:
        """Limits on one client of the request's site."""
        return self._own().ip or self._settings.rate_limits

    def site_limit(self) -> str:
        """Limits on all clients of the request's site together."""
        return self._own().site or self._settings.site_rate_limits

    def ip_key(self) -> str:
        """What the per-client limit counts under: the hashed IP (per site if it has its own)."""
        # Only a site with limits of its own counts its clients apart; any
        # other site name shares the client's one count, so inventing site
        # names cannot buy a bot more tries.
        site = requested_site()
        prefix = f"{site}:" if site in self._settings.site_limits else ""
        return prefix + client_key(self._settings)

    def apply(self, limiter: Limiter, blueprints: Iterable[Blueprint]) -> None:
        """Put both limits on each blueprint; the site limit only where a site is named."""
        for blueprint in blueprints:
            limiter.limit(self.ip_limit, key_func=self.ip_key)(blueprint)
            limiter.limit(
                self.site_limit,
                key_func=lambda: "site:" + requested_site(),
                exempt_when=names_no_site,
            )(blueprint)


def retry_after_seconds(limiter: Limiter) -> int:
    """Seconds until the exhausted window frees a slot (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
