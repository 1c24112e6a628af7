"""Fixtures for fault tests: our own redis-server, a cuttable way to PostgreSQL, a stack."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from commentgate.domain import Role
from commentgate.storage.db import make_session_factory, transaction
from commentgate.storage.keys import create_key
from commentgate.storage.migrate import upgrade
from commentgate.storage.sites import ensure_site
from tests.services import RedisServer, postgres_database
from tests.stack import Stack, TcpProxy, pg_database_url_via

pytestmark = pytest.mark.fault


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/fault/" in str(item.fspath):
            item.add_marker(pytest.mark.fault)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def redis_conn(redis_server) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url, socket_timeout=2, socket_connect_timeout=1)
    yield client
    client.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (direct URL), with the demo site."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("fault tests need PostgreSQL: set TEST_DATABASE_URL")
    with postgres_database(admin_url) as url:
        upgrade(url)
        yield url


@pytest.fixture
def engine(pg_url):
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture
def site_and_keys(engine) -> dict[str, str]:
    """The demo site, and one key per role."""
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        ensure_site(session, "demo", ["https://news.example"])
        return {role.value: create_key(session, role, f"{role.value} key", None) for role in Role}


@pytest.fixture
def proxy(pg_url) -> Iterator[TcpProxy]:
    target = make_url(pg_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def stack(tmp_path, redis_server, pg_url, proxy, site_and_keys) -> Iterator[Stack]:
    """Processes configured for the test; the test starts the ones it needs."""
    stack = Stack(tmp_path, redis_server.url, pg_database_url_via(proxy, pg_url))
    yield stack
    stack.stop()
