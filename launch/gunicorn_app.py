"""Running the Flask app under gunicorn from our own CLI (same entry point everywhere).

The gunicorn configuration lives here, built from :class:`Settings`, so the
container, ``commentgate run`` and a bare ``commentgate web`` serve alike.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from commentgate import multiprocess
from commentgate.config import Settings
from commentgate.netaddr import is_loopback_host

log = logging.getLogger(__name__)


class RootLogger(glogging.Logger):
    """gunicorn's own messages go through the root handler (JSON, redacted).

    gunicorn's access log is off: the app logs each request itself, with the
    request id and without the client's full IP.
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.handlers.clear()
            logger.propagate = True


def _child_exit(_server, worker) -> None:
    multiprocess.mark_dead(worker.pid)


def _post_worker_init(_worker) -> None:
    # The app a worker has just loaded lives as long as the worker. Out of the collector's
    # sight, a full collection walks only what requests made since, not the whole app
    # (about 0.1 s here, a stall in the latency tail).
    gc.freeze()


def gunicorn_options(settings: Settings, workers: int) -> dict[str, Any]:
    """gunicorn settings: threads for I/O waits, bounded requests, recycled workers."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 30,  # a request stuck longer than this gets its worker restarted
        "graceful_timeout": 10,
        "keepalive": 5,
        # Recycle workers now and then (jitter: not all at once). A new worker loads the app,
        # about a second of CPU during which its requests wait: every 5,000 requests that
        # was every 15 s under load, and showed as one-second stalls in intake's p99.
        "max_requests": 100_000,
        "max_requests_jitter": 10_000,
        "limit_request_line": 4094,  # bodies are capped by the app (MAX_CONTENT_LENGTH)
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": None,
        "errorlog": "-",
        "logger_class": RootLogger,
        "loglevel": settings.log_level.lower(),
        "child_exit": _child_exit,
        "post_worker_init": _post_worker_init,
        # gunicorn's control socket sits at one path per user ($XDG_RUNTIME_DIR or
        # ~/.gunicorn), so a second gunicorn of that user takes it over; nothing of ours uses it.
        "control_socket_disable": True,
    }


def warn_if_urls_follow_host(settings: Settings) -> bool:
    """Log a warning when absolute URLs come from the Host header of reachable requests.

    Without ``COMMENTGATE_PUBLIC_URL`` a captcha's ``image_url`` is built from
    the request's Host header; on loopback only this machine can send one.
    Returns whether it warned.
    """
    if settings.public_url or is_loopback_host(settings.host):
        return False
    log.warning(
        "COMMENTGATE_PUBLIC_URL is not set and the web server listens on %s: captcha image "
        "and audio URLs follow each request's Host header; set COMMENTGATE_PUBLIC_URL to "
        "the URL readers reach this service at",
        settings.host,
    )
    return True


class CommentgateServer(BaseApplication):
    """gunicorn with options from :class:`Settings` instead of a config file."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from service.app import create_app

        return create_app(self._settings)


def serve(settings: Settings, workers: int) -> None:
    """Serve until a signal stops us."""
    warn_if_urls_follow_host(settings)
    CommentgateServer(settings, gunicorn_options(settings, workers)).run()
