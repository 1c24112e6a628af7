"""Engines and sessions. Callers receive a ``sessionmaker`` and open short sessions."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Executable, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from commentgate.local_files import create_private_file, make_private_dir

log = logging.getLogger(__name__)

SessionFactory = sessionmaker[Session]


def _prepare_sqlite(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        # SQLite gives its -wal and -shm files the database file's mode.
        make_private_dir(Path(path).parent)
        create_private_file(Path(path))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the worker write while web processes read; busy_timeout makes
    # concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted and overwritten content is zeroed, not left in free pages: an erased
    # reader's data must not stay readable in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _postgres_args(statement_timeout_ms: int | None) -> dict:
    # A server that vanishes without closing the connection (a network
    # partition) would leave a query waiting forever: TCP keepalives and a
    # user timeout make the kernel give up on it within seconds.
    args: dict = {
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
    }
    if statement_timeout_ms:
        # A statement (or a wait for a row lock) that outlives this fails and
        # the caller answers 503 or retries, instead of holding a worker hostage.
        ms = int(statement_timeout_ms)
        args["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return args


def _without_detail(context: ExceptionContext) -> None:
    # PostgreSQL's DETAIL of a constraint error quotes values ("Failing row contains
    # (..., +84912345678, ...)"): keep only the primary message, as hide_parameters
    # does for the parameters. The detail stays on ``orig.diag`` for a debugger.
    orig = context.original_exception
    primary = getattr(getattr(orig, "diag", None), "message_primary", None)
    if primary is None or str(orig) == primary:
        return
    orig.args = (primary,)
    if context.sqlalchemy_exception is not None:
        name = f"{type(orig).__module__}.{type(orig).__name__}"
        context.sqlalchemy_exception.args = (f"({name}) {primary}",)


def make_engine(url: str, statement_timeout_ms: int | None = None) -> Engine:
    """Create an engine with timeouts suited to a web service.

    ``statement_timeout_ms`` bounds every statement on PostgreSQL (SQLite
    waits at most its busy timeout anyway).
    """
    engine = _engine(url, statement_timeout_ms, {})
    database = make_url(url).database
    if database and ":memory:" not in database:  # a twin of a memory database sees another
        _twin_args[engine] = (url, statement_timeout_ms)
    return engine


def _engine(url: str, statement_timeout_ms: int | None, options: dict[str, Any]) -> Engine:
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
        engine = create_engine(url, connect_args={"timeout": 10}, hide_parameters=True, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = _postgres_args(statement_timeout_ms) if url.startswith("postgresql") else {}
    # hide_parameters: an error message (and so a log line) never carries the
    # values of a statement, such as a reader's phone number.
    engine = create_engine(
        url,
        pool_timeout=5,
        connect_args=connect_args,
        hide_parameters=True,
        **{"pool_pre_ping": True, **options},
    )
    event.listen(engine, "handle_error", _without_detail)
    return engine


# The engines make_engine made (a database of its own, not one in memory), and the twin in
# autocommit each has once asked for. Keyed weakly: a twin goes with its engine, and is
# disposed with it.
_twin_args: WeakKeyDictionary[Engine, tuple[str, int | None]] = WeakKeyDictionary()
_twins: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
_twins_lock = threading.Lock()


def autocommit_twin(engine: Engine) -> Engine | None:
    """An engine like ``engine`` (made by :func:`make_engine`) whose connections are in
    autocommit from their start, on a pool of their own; None for any other engine.

    Switching a pooled connection to autocommit and back costs SQLAlchemy and the driver
    about 25 µs of CPU a comment (bench/README.md): the twin's connections never switch,
    and need no rollback when they go back to their pool.
    """
    twin = _twins.get(engine)
    if twin is not None or engine not in _twin_args:
        return twin
    with _twins_lock:
        twin = _twins.get(engine)
        if twin is None:
            url, timeout = _twin_args[engine]
            # A connection in autocommit holds no transaction: nothing to roll back on return.
            # Nor is it pinged when lent (a round trip a comment): OneStatement.run tries
            # again on a new connection when the one lent had been dropped.
            options = {
                "isolation_level": "AUTOCOMMIT",
                "pool_reset_on_return": None,
                "pool_pre_ping": False,
            }
            twin = _engine(url, timeout, options)
            _twins[engine] = twin
            # A child process disposing what it inherited (close=False) must not close the
            # parent's connections: only the process that made the twin closes its own.
            made_by = os.getpid()
            event.listen(
                engine, "engine_disposed", lambda _e: twin.dispose(close=os.getpid() == made_by)
            )
    return twin


def make_session_factory(engine: Engine) -> SessionFactory:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


class UnitOfWork:
    """One transaction, and what waits for its commit (jobs, webhooks, counters)."""

    def __init__(self, session: Session | OneStatement) -> None:
        self.session = session
        self._hooks: dict[Hashable, Callable[[], None]] = {}

    def after_commit(self, hook: Callable[[], None], *, key: Hashable | None = None) -> None:
        """Run ``hook`` once the transaction has committed; one hook per ``key``."""
        self._hooks.setdefault(object() if key is None else key, hook)

    def run_hooks(self) -> None:
        """Run the collected hooks in the order they came, once."""
        hooks, self._hooks = list(self._hooks.values()), {}
        for hook in hooks:
            hook()


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[UnitOfWork]:
    """The edge's transaction: commits on success, rolls back on any error.

    The after-commit hooks run only once the commit succeeded, so nothing is
    announced or queued about a change that did not happen.
    """
    with factory() as session:
        work = UnitOfWork(session)
        with session.begin():
            yield work
    work.run_hooks()


class OneStatement:
    """The one write of a unit of work, run in autocommit when the unit ends.

    One INSERT is atomic by itself: it needs neither the BEGIN nor the COMMIT around it,
    two of the four round trips a transaction of one statement makes on PostgreSQL
    (intake's path, bench/README.md). It is held until the unit's block has ended without
    an error, so everything before it (a captcha redeemed, a form refused) happens
    before a connection is taken, and it commits last, as a transaction would. A second
    statement is refused: work of more statements belongs in :func:`unit_of_work`.
    """

    def __init__(self) -> None:
        self._held: tuple[Executable, dict | None] | None = None

    def execute(self, statement: Executable, parameters: dict | None = None) -> None:
        """Hold the unit's statement; it runs when the unit ends (:meth:`run`)."""
        if self._held is not None:
            raise RuntimeError("a one-statement unit of work runs one statement")
        self._held = (statement, parameters)

    def run(self, engine: Engine) -> None:
        """Run the held statement, if any, on a connection in autocommit: one of the
        engine's :func:`autocommit_twin` where it has one.

        The twin lends its connections without a ping. One the database dropped since its
        last use (a restart) fails the statement, and SQLAlchemy lets it and every
        connection as old go: the statement then runs once more, on a new connection. It
        is a new row's INSERT with its key given, so running it again cannot store it
        twice: the worst a repeat meets is its own row, stored by the first try just
        before the connection dropped (then the first try's error stands).
        """
        if self._held is None:
            return
        twin = autocommit_twin(engine)
        if twin is None:
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(*self._held)
            return
        try:
            self._run_on(twin)
        except DBAPIError as dropped:
            if not dropped.connection_invalidated:
                raise
            log.info("a pooled database connection had been dropped; running again")
            try:
                self._run_on(twin)
            except IntegrityError:
                # Its own row, stored by the first try as the connection dropped: answered
                # as the outage it met, as with a pinged pool; the sweep queues the comment.
                raise dropped from None

    def _run_on(self, twin: Engine) -> None:
        assert self._held is not None
        with twin.connect() as connection:
            connection.execute(*self._held)


@contextmanager
def one_statement_work(engine: Engine) -> Iterator[UnitOfWork]:
    """The edge's unit of work when it writes with one statement (:class:`OneStatement`).

    The statement runs, and commits, once the block ends without an error; then the
    after-commit hooks run, as in :func:`unit_of_work`.
    """
    statement = OneStatement()
    work = UnitOfWork(statement)
    yield work
    statement.run(engine)
    work.run_hooks()


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with unit_of_work(factory) as work:
        yield work.session


def ping(session: Session) -> None:
    """Ask the database the simplest question; raises when it cannot answer."""
    session.execute(text("SELECT 1"))


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards escaped, for ``like(..., escape="\\")``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
