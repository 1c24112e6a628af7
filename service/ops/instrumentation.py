"""Per-request bookkeeping: the log context, an access log line, request metrics.

The client IP is never logged whole (see :mod:`commentgate.logging`). Metric labels
come from closed sets, so no client can add series: the route template (not the raw
path) and the method, any method outside the standard ones counted as ``other``.

A request is measured when its response is ready, and its access line and metrics are
written once the server has sent that response (when it closes it, as every WSGI server
does): they are a sixth of a picture's instructions and would otherwise delay every answer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import Flask, Request, Response, g, request

from commentgate import metrics
from commentgate.logging import bind, mask_ip, unbind
from service.deps import Services

access_log = logging.getLogger("commentgate.access")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _start() -> None:
    g.started = time.perf_counter()
    g.log_token = bind(request_id=g.get("request_id"))


def _endpoint(req: Request) -> str:
    return req.url_rule.rule if req.url_rule is not None else "unmatched"


def method_label(method: str) -> str:
    """The method as a metric label: a standard one as it is, anything else ``other``."""
    return method if method in METHODS else "other"


@dataclass(frozen=True, slots=True)
class Answered:
    """What the access line and the metrics say of one answered request."""

    endpoint: str
    method: str
    path: str
    status: int
    seconds: float
    address: str | None
    request_id: str | None

    def record(self) -> None:
        """Count the request and write its access line."""
        method = method_label(self.method)
        metrics.HTTP_REQUESTS.labels(self.endpoint, method, str(self.status)).inc()
        metrics.HTTP_SECONDS.labels(self.endpoint, method).observe(self.seconds)
        extra: dict[str, object] = {
            "status": self.status,
            "duration_ms": round(self.seconds * 1000, 1),
            "client": mask_ip(self.address or "-"),
        }
        if self.request_id:  # the request's log context is gone by now
            extra["request_id"] = self.request_id
        access_log.info("%s %s %s", self.method, self.path, self.status, extra=extra)


def _record(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    req = request._get_current_object()  # one proxy lookup, not one an attribute
    answered = Answered(
        _endpoint(req),
        req.method,
        req.path,
        response.status_code,
        elapsed,
        req.remote_addr,
        g.get("request_id"),
    )
    if response.direct_passthrough:
        # A file handed to the server as it is (send_file): the server closes the file, never
        # the response, so this one is written now.
        answered.record()
    else:
        response.call_on_close(answered.record)
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
