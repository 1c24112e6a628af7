"""Long-running commands: the web server, the worker, and both together."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from commentgate import keyring, multiprocess
from commentgate.access import CLI
from commentgate.config import Settings
from commentgate.domain import Role
from commentgate.fingerprint import backfill_fingerprints
from commentgate.local_files import keep_private
from commentgate.redis_conn import connect_redis, stop_embedded
from commentgate.sealing import data_keyring
from commentgate.storage.db import transaction
from commentgate.storage.keys import live_keys_named
from commentgate.storage.migrate import upgrade
from commentgate.storage.models import Site
from commentgate.storage.sites import ensure_site
from launch.admin import pass_settings, sessions_for

DEMO_SITE = "demo"
DEMO_NOTICE_VERSION = "2026-01"
DEMO_PURPOSE = (
    "Số điện thoại chỉ dùng để ban biên tập liên hệ về bình luận của bạn và chống spam;"
    " không hiển thị công khai, xoá theo yêu cầu."
)
LOCAL_RUN_KEY = "local run"  # the name of the moderator key `commentgate run` prints
log = logging.getLogger(__name__)


@click.command()
@click.option("--workers", type=int, default=None, help="Web processes (default from settings).")
@pass_settings
def web(settings: Settings, workers: int | None) -> None:
    """Serve the HTTP API with gunicorn on HOST:PORT."""
    keep_private(settings.var_dir)
    multiprocess.prepare(metrics_dir(settings))
    from launch.gunicorn_app import serve

    serve(settings, workers or settings.web_workers)


def metrics_dir(settings: Settings) -> Path:
    """Where this machine's commentgate processes keep their metric files."""
    return settings.var_dir / "metrics"


def _serve_worker_metrics(settings: Settings) -> None:
    # A worker in its own container has no web process to add its counters
    # to /metrics, so it can answer scrapes itself.
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(multiprocess.directory()))
    start_http_server(settings.worker_metrics_port, addr=settings.host, registry=registry)


@click.command()
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option(
    "--sweep/--no-sweep",
    default=True,
    show_default=True,
    help="Also re-queue comments whose job was lost.",
)
@click.option(
    "--processes", type=int, default=None, help="Worker processes (default from settings)."
)
@pass_settings
def worker(settings: Settings, burst: bool, sweep: bool, processes: int | None) -> None:
    """Score queued comments in batches (RQ workers under a supervisor); sweep up lost jobs."""
    keep_private(settings.var_dir)
    multiprocess.prepare(metrics_dir(settings))
    from workers.jobs import warm_up
    from workers.runtime import build_runtime, install
    from workers.supervisor import Supervisor, load_shared

    warm_up()  # once here rather than in every worker process
    runtime = build_runtime(settings)
    install(runtime)
    loaded = load_shared(runtime)
    log.info("models loaded before forking: %s", ", ".join(loaded) or "none")
    if settings.worker_metrics_port:
        _serve_worker_metrics(settings)
    Supervisor(
        processes or settings.worker_processes,
        lambda: _work(settings, runtime, burst=burst, sweep=sweep),
        replace_finished=not burst,
    ).run()


def _work(settings: Settings, runtime, *, burst: bool, sweep: bool) -> None:
    """One supervised worker process: the sweep's thread, and RQ's loop with batches."""
    from commentgate.queue import policy_from
    from workers.batch_worker import BatchWorker
    from workers.sweep import Sweeper

    multiprocess.fork_jobs_here()
    heartbeat = settings.worker_heartbeat_seconds
    if sweep:
        Sweeper(
            runtime.sessions,
            runtime.queue,
            timedelta(seconds=settings.sweep_after_seconds),
            settings.sweep_interval_seconds,
            abandoned_after=timedelta(seconds=3 * heartbeat),
            policy=policy_from(settings),
            rebuild_every=settings.model_rebuild_interval_seconds,
            retention_every=settings.retention_interval_seconds,
            ip_retention_days=settings.ip_retention_days,
        ).start()
    queues, client = [runtime.queue], runtime.redis
    work_through_outages(
        lambda: BatchWorker(
            queues,
            connection=client,
            job_monitoring_interval=heartbeat,
            batch_size=settings.worker_batch_size,
        ),
        burst=burst,
        level=settings.log_level.upper(),
    )


def work_through_outages(make_worker, *, burst: bool, level: str) -> None:
    """Run RQ workers until one stops normally, replacing any that Redis broke.

    RQ waits out a Redis outage while it waits for a job, but gives up when
    Redis fails in the middle of one; the replacement registers afresh once
    Redis answers again, so the process recovers without a supervisor.
    """
    import redis

    delay = 1.0
    while True:
        rq_worker = None
        try:
            rq_worker = make_worker()  # registering talks to Redis already
            rq_worker.work(burst=burst, with_scheduler=True, logging_level=level)
            return
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("worker lost Redis (%s); starting a new one in %.0fs", exc, delay)
            if rq_worker is not None:
                with contextlib.suppress(Exception):  # best effort: its Redis is gone
                    rq_worker.unsubscribe()
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def _demo_origins(settings: Settings) -> list[str]:
    return [
        settings.resolved_public_url(),
        f"http://localhost:{settings.port}",
        f"http://127.0.0.1:{settings.port}",
    ]


def _seed_model(settings: Settings) -> None:
    """Train a starting spam model from the bundled corpora if there is none yet."""
    from launch.evaluate import train_model
    from workers.model_store import ModelStore, new_version_name

    files = sorted(str(p) for p in Path().glob(settings.seed_corpora))
    sessions = sessions_for(settings)
    store = ModelStore(sessions, connect_redis(settings))
    with sessions() as session:
        if not files or store.current(session, None) is not None:
            return
    click.echo(f"training a starting spam model from {', '.join(files)}", err=True)
    model = train_model(files, progress=True, version=new_version_name("global"))
    with transaction(sessions) as session:
        store.save(session, model, site_id=None, examples=0, last_decision_id=0)


def prepare_local(settings: Settings) -> str:
    """Migrate, seed the demo site and a model, and return a fresh moderator key."""
    upgrade(settings.resolved_database_url(), data_keyring=data_keyring(settings))
    _seed_model(settings)
    with transaction(sessions_for(settings)) as session:
        backfill_fingerprints(session, settings)
        demo, _ = ensure_site(session, DEMO_SITE, _demo_origins(settings))
        if demo.privacy_notice_version is None:  # an operator's own notice is kept
            _demo_notice(demo, settings)
        return renew_local_run_key(session)


def _demo_notice(site: Site, settings: Settings) -> None:
    """The demo site's privacy notice: a comment with a phone number there needs consent."""
    site.privacy_notice_url = f"{settings.resolved_public_url()}/demo#privacy"
    site.privacy_notice_version = DEMO_NOTICE_VERSION
    site.privacy_purpose = DEMO_PURPOSE


def renew_local_run_key(session: Session) -> str:
    """Issue this run's moderator key and revoke the earlier runs' (audited, actor null).

    A secret is shown once and never stored, so an earlier run's key cannot be
    printed again; revoking it keeps a single local-run key alive.
    """
    for old in live_keys_named(session, LOCAL_RUN_KEY, Role.MODERATOR):
        keyring.revoke(session, CLI, old.id)
    return keyring.issue(session, CLI, Role.MODERATOR, LOCAL_RUN_KEY, None)[1]


def require_free_port(host: str, port: int) -> None:
    """Stop before anything starts when the web server could not listen on HOST:PORT.

    Otherwise the banner and a new key are printed, and gunicorn fails seconds
    later in a child process. SO_REUSEADDR as gunicorn sets it, so a port
    that only lingers in TIME_WAIT does not count as taken.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            f"stop what uses port {port}, or pick another: PORT=8001 commentgate run"
        ) from None


def _spawn(settings: Settings, *args: str) -> subprocess.Popen:
    # The children log as `run` does: its terminal is theirs too.
    env = {**os.environ, "COMMENTGATE_LOG_FORMAT": settings.log_format}
    return subprocess.Popen([sys.executable, "-m", "launch", *args], env=env)


def _stop_all(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


@click.command()
@pass_settings
def run(settings: Settings) -> None:
    """Set up and start everything on one machine: Redis, database, web, worker.

    Uses the embedded Redis and SQLite under ./var unless REDIS_URL or
    DATABASE_URL say otherwise. Ctrl-C stops everything.
    """
    require_free_port(settings.host, settings.port)
    keep_private(settings.var_dir)
    redis_client = connect_redis(settings)  # keeps an embedded server alive while we run
    key = prepare_local(settings)
    base = settings.resolved_public_url()
    click.echo(f"API: {base}/api/v1")
    click.echo(f"Demo: {base}/demo")
    click.echo(f"OpenAPI: {base}/openapi.json")
    click.echo(f"Moderator key: {key}")
    sys.stdout.flush()
    children = [_spawn(settings, "web"), _spawn(settings, "worker")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        click.echo("a child process exited; stopping", err=True)
    except (KeyboardInterrupt, SystemExit):
        click.echo("stopping", err=True)
    finally:
        _stop_all(children)
        stop_embedded(redis_client)
    os._exit(0)
