"""The clients a worker process uses, built once in ``commentgate worker``.

RQ calls jobs with plain arguments, so jobs reach their dependencies through
the runtime the worker's entry point installed for the process; everything
below the job function receives them as arguments. Nothing here reads the
environment: a process that runs jobs without installing a runtime is told so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from rq import Queue

from commentgate.config import Settings
from commentgate.queue import moderation_queue
from commentgate.redis_conn import connect_redis
from commentgate.storage.db import SessionFactory, make_engine, make_session_factory
from workers.egress import Resolver, system_resolver
from workers.model_store import ModelStore


@dataclass(frozen=True)
class WorkerRuntime:
    """Settings and clients shared by the jobs of one worker process."""

    settings: Settings
    sessions: SessionFactory
    redis: redis.Redis
    queue: Queue
    models: ModelStore
    # How webhooks' host names are resolved; tests give their own (no DNS there).
    resolver: Resolver = system_resolver


def runtime_for(settings: Settings, sessions: SessionFactory, client: redis.Redis) -> WorkerRuntime:
    """A runtime over clients that already exist."""
    return WorkerRuntime(
        settings, sessions, client, moderation_queue(client), ModelStore(sessions, client)
    )


def build_runtime(settings: Settings, client: redis.Redis | None = None) -> WorkerRuntime:
    """Connect to the database and Redis named by ``settings``."""
    engine = make_engine(settings.resolved_database_url(), settings.db_statement_timeout_ms)
    # A forked work-horse must not share pooled connections with its parent.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    client = client if client is not None else connect_redis(settings)
    return runtime_for(settings, make_session_factory(engine), client)


class RuntimeNotInstalledError(RuntimeError):
    """A job ran in a process whose entry point installed no worker runtime."""


_installed: WorkerRuntime | None = None


def install(runtime: WorkerRuntime | None) -> None:
    """Make ``runtime`` the one jobs in this process use (None: uninstall it)."""
    global _installed
    _installed = runtime


def current() -> WorkerRuntime:
    """The runtime the process's entry point installed.

    Raises:
        RuntimeNotInstalledError: none was; jobs run under ``commentgate worker``,
            which builds and installs it before taking any job.
    """
    if _installed is None:
        raise RuntimeNotInstalledError(
            "no worker runtime installed in this process: run jobs with `commentgate worker`, "
            "or call workers.runtime.install(build_runtime(settings)) before the first job"
        )
    return _installed
