"""Engines and sessions. Callers receive a ``sessionmaker`` and open short sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]


def _prepare_sqlite(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the worker write while web processes read; busy_timeout makes
    # concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine with timeouts suited to a web service."""
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_timeout=5, connect_args=connect_args)


def make_session_factory(engine: Engine) -> SessionFactory:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, for ``like(..., escape="\\")``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
