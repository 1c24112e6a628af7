"""``GET /metrics``: Prometheus text, added up over every process.

Counters and histograms come from the processes that recorded them (in
multiprocess mode, from their files). Queue, worker and comment gauges are
read from Redis and the database at scrape time by whichever web process
answers; if one cannot be read its ``commentgate_dependency_up`` is 0 and
its gauges are left out, so a scrape never fails because a dependency did.

The numbers name sites, routes and volumes, so the endpoint is not public: with
``COMMENTGATE_METRICS_TOKEN`` set it wants that token as a Bearer token (Prometheus's
``authorization`` setting); without one, only clients on this machine may scrape.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from datetime import UTC, datetime

import redis
from flask import Blueprint, Response, request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from commentgate import multiprocess
from commentgate.captcha import CaptchaKind, pool_key
from commentgate.errors import ForbiddenError, MetricsTokenRequiredError
from commentgate.queue_stats import snapshot_queue, snapshot_workers
from commentgate.storage.stats import count_by_status, oldest_received
from service.deps import Services, services

log = logging.getLogger(__name__)
metrics = Blueprint("metrics", __name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="commentgate metrics"'}


def _up(name: str, ok: bool) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(
        "commentgate_dependency_up",
        "1 when /metrics could read the dependency.",
        labels=["dependency"],
    )
    gauge.add_metric([name], 1.0 if ok else 0.0)
    return gauge


def _queue_families(svc: Services) -> list[GaugeMetricFamily]:
    snap = snapshot_queue(svc.queue)
    jobs = GaugeMetricFamily(
        "commentgate_queue_jobs", "Jobs by queue and state.", labels=["queue", "state"]
    )
    for state, count in snap.counts().items():
        jobs.add_metric([snap.name, state], count)
    oldest = GaugeMetricFamily(
        "commentgate_queue_oldest_job_age_seconds",
        "How long the job at the head of the queue has waited.",
        labels=["queue"],
    )
    oldest.add_metric([snap.name], snap.oldest_queued_seconds)
    workers = GaugeMetricFamily("commentgate_workers_alive", "RQ workers registered and alive.")
    workers.add_metric([], len(snapshot_workers(svc.redis)))
    pool = GaugeMetricFamily(
        "commentgate_captcha_pool", "Captchas drawn ahead, waiting in the pool.", labels=["kind"]
    )
    for kind in CaptchaKind:
        pool.add_metric([kind.value], svc.redis.llen(pool_key(kind)))
    return [jobs, oldest, workers, pool]


def _comment_families(svc: Services) -> list[GaugeMetricFamily]:
    with svc.sessions() as session:
        counts = count_by_status(session)
        waiting = oldest_received(session)
    by_status = GaugeMetricFamily("commentgate_comments", "Comments by status.", labels=["status"])
    for status, count in counts.items():
        by_status.add_metric([status], count)
    oldest = GaugeMetricFamily(
        "commentgate_oldest_received_comment_age_seconds",
        "How long the oldest comment still waiting for its verdict has waited.",
    )
    age = (datetime.now(UTC) - waiting.created_at).total_seconds() if waiting else 0.0
    oldest.add_metric([], max(0.0, age))
    return [by_status, oldest]


class LiveStateCollector(Collector):
    """Gauges read from Redis and the database of one app at scrape time."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc

    def collect(self):
        yield from self._read("redis", _queue_families, (redis.RedisError, OSError))
        yield from self._read("database", _comment_families, (SQLAlchemyError,))

    def _read(self, name, read, errors):
        try:
            families = read(self._svc)
        except errors as exc:
            log.warning("metrics: cannot read %s: %s", name, exc)
            yield _up(name, False)
            return
        yield _up(name, True)
        yield from families


class _ProcessMetrics(Collector):
    """This process's own metrics, when no other process shares them."""

    def collect(self):
        yield from REGISTRY.collect()


def build_registry(svc: Services) -> CollectorRegistry:
    """A registry for one scrape: every process's metrics plus the live gauges."""
    registry = CollectorRegistry(auto_describe=False)
    directory = multiprocess.directory()
    if directory is not None:
        MultiProcessCollector(registry, path=str(directory))
    else:
        registry.register(_ProcessMetrics())
    registry.register(LiveStateCollector(svc))
    return registry


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


@metrics.before_request
def require_metrics_token() -> None:
    """The configured token as ``Authorization: Bearer``, or, with none configured, a
    client on loopback.

    Raises:
        MetricsTokenRequiredError: a token is configured and the request lacks it.
        ForbiddenError: no token is configured and the client is not on this machine.
    """
    token = services().settings.metrics_token
    if not token:
        if _is_loopback(request.remote_addr):
            return
        raise ForbiddenError("/metrics without COMMENTGATE_METRICS_TOKEN serves loopback only")
    presented = request.authorization
    given = presented.token if presented is not None and presented.type == "bearer" else None
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise MetricsTokenRequiredError("metrics token required", headers=_CHALLENGE)


@metrics.get("/metrics")
def scrape():
    """The Prometheus exposition of everything commentgate measures."""
    body = generate_latest(build_registry(services()))
    return Response(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
