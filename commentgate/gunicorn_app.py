"""Running the Flask app under gunicorn from our own CLI (same entry point everywhere).

The gunicorn configuration lives here, built from :class:`Settings`, so the
container, ``commentgate run`` and a bare ``commentgate web`` serve alike.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from commentgate import multiprocess
from commentgate.config import Settings


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
        "max_requests": 5000,  # recycle workers now and then; jitter avoids all at once
        "max_requests_jitter": 500,
        "limit_request_line": 4094,  # bodies are capped by the app (MAX_CONTENT_LENGTH)
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": None,
        "errorlog": "-",
        "logger_class": RootLogger,
        "loglevel": settings.log_level.lower(),
        "child_exit": _child_exit,
    }


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
    CommentgateServer(settings, gunicorn_options(settings, workers)).run()
