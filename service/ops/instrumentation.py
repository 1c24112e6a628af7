"""Per-request bookkeeping: the log context, an access log line, request metrics.

The client IP is never logged whole (see :mod:`commentgate.logging`). Metric labels
come from closed sets, so no client can add series: the route template (not the raw
path) and the method, any method outside the standard ones counted as ``other``.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from commentgate import metrics
from commentgate.logging import bind, mask_ip, unbind
from service.deps import Services

access_log = logging.getLogger("commentgate.access")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _start() -> None:
    g.started = time.perf_counter()
    g.log_token = bind(request_id=g.get("request_id"))


def _endpoint() -> str:
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def method_label(method: str) -> str:
    """The method as a metric label: a standard one as it is, anything else ``other``."""
    return method if method in METHODS else "other"


def _record(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint, method = _endpoint(), method_label(request.method)
    metrics.HTTP_REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    metrics.HTTP_SECONDS.labels(endpoint, method).observe(elapsed)
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
            "client": mask_ip(request.remote_addr or "-"),
        },
    )
    return response


def _finish(_exc: BaseException | None) -> None:
    token = g.pop("log_token", None)
    if token is not None:
        unbind(token)


def init_app(app: Flask, svc: Services) -> None:
    """Install the hooks on ``app``: after the request id is assigned, before the rate
    limiter (a refused request is logged and counted too)."""
    app.before_request(_start)
    app.after_request(_record)
    app.teardown_request(_finish)
