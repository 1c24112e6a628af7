"""Fixtures: real Redis, real databases (SQLite and PostgreSQL), real RQ workers."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from rq import SimpleWorker
from sqlalchemy import delete

from commentgate.config import Settings
from commentgate.domain import ModerationMode, Role
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.keys import create_key
from commentgate.storage.migrate import upgrade
from commentgate.storage.models import Base
from commentgate.storage.sites import ensure_site
from service.app import CommentgateAPI
from tests.services import RedisServer, postgres_database
from workers.runtime import install, runtime_for

TEST_ORIGIN = "https://news.example"


class ClosingClient(FlaskClient):
    """Flask's test client closing each response once it has read it, as a WSGI server
    closes one once it has sent it: the request's access line and metrics are written
    then (``service.ops.instrumentation``)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


CommentgateAPI.test_client_class = ClosingClient

# ---------------------------------------------------------------- Redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """TEST_REDIS_URL (a db index of its own) or a private redis-server."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_client(redis_url) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # our own db index or server: never the shared data
    yield client
    client.flushdb()
    client.close()


# ---------------------------------------------------------------- databases

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database per backend; PostgreSQL needs TEST_DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        upgrade(url)
        yield url
        return
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests)")
    with postgres_database(admin_url) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engines() -> Iterator[dict]:
    cache: dict = {}
    yield cache
    for engine in cache.values():
        engine.dispose()


@pytest.fixture
def sessions(database_url, engines):
    """A session factory on a database emptied before each test."""
    engine = engines.get(database_url) or engines.setdefault(
        database_url, make_engine(database_url)
    )
    # DELETE, not one TRUNCATE: PostgreSQL's TRUNCATE gives each table new files, which on
    # the few rows a test leaves costs about ten times as much (measured: 65 ms against 5).
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    return make_session_factory(engine)


# ---------------------------------------------------------------- app and workers


@pytest.fixture
def settings(tmp_path, redis_url, database_url) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        redis_url=redis_url,
        database_url=database_url,
        rate_limits="1000/minute",
        site_rate_limits="1000/minute",
        read_rate_limits="1000/minute",
        auth_failure_limits="1000/minute",
        # Captchas drawn on demand, so that queues hold only what a test queued;
        # tests/test_captcha_pool.py turns the pool on.
        captcha_pool_size=0,
        webhook_private_addresses=True,  # the host sites of tests listen on 127.0.0.1
    )


@pytest.fixture
def site(sessions):
    """The ``demo`` site (pre-moderated) with one registered origin."""
    with transaction(sessions) as session:
        site, _ = ensure_site(session, "demo", [TEST_ORIGIN], ModerationMode.PRE)
    return site


@pytest.fixture
def moderator_key(sessions, site) -> str:
    with transaction(sessions) as session:
        return create_key(session, Role.MODERATOR, "test moderator", None)


@pytest.fixture
def app(settings, redis_client, sessions, site):
    from service.app import create_app

    app = create_app(settings, redis_client=redis_client, sessions=sessions)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def replace_services(app, **changes) -> None:
    """Swap some of the app's clients (e.g. a queue on a dead Redis)."""
    from service.deps import EXTENSION

    app.extensions[EXTENSION] = dataclasses.replace(app.extensions[EXTENSION], **changes)


# ---------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one per session, for the browser tests wherever they live."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("browser tests need Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def worker(settings, sessions, redis_client):
    """Run a real RQ SimpleWorker in burst mode: ``worker()`` drains the queue."""
    runtime = runtime_for(settings, sessions, redis_client)
    install(runtime)
    queue = runtime.queue

    def drain() -> None:
        SimpleWorker([queue], connection=redis_client).work(burst=True)

    drain.runtime = runtime
    yield drain
    install(None)
