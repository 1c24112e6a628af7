"""Liveness and readiness probes."""

from __future__ import annotations

import redis
from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from commentgate.errors import UnavailableError
from commentgate.storage.db import ping
from service.deps import services

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    """The process is up and serving."""
    return {"status": "ok"}


def _check_database() -> str:
    try:
        with services().sessions() as session:
            ping(session)
        return "ok"
    except SQLAlchemyError as exc:
        return f"error: {type(exc).__name__}"


def _check_redis() -> str:
    try:
        services().redis.ping()
        return "ok"
    except (redis.RedisError, OSError) as exc:
        return f"error: {type(exc).__name__}"


@health.get("/readyz")
def readyz():
    """Both the database and Redis answer; 503 (with which failed) otherwise."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    if any(v != "ok" for v in checks.values()):
        raise UnavailableError("not ready", retry_after=5, checks=checks)
    return {"status": "ok", "checks": checks}
