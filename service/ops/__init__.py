"""What operators use: /metrics, the RQ dashboard, request logs and metrics."""

from __future__ import annotations

from flask import Flask

from service.deps import Services
from service.ops import dashboard
from service.ops.metrics import metrics


def init_app(app: Flask, svc: Services) -> None:
    """Add ``/metrics`` and ``/ops/rq`` to ``app`` (request instrumentation is installed
    first of all, see :func:`service.ops.instrumentation.init_app`)."""
    app.register_blueprint(metrics)
    dashboard.init_app(app, svc)
