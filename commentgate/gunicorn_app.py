"""Running the Flask app under gunicorn from our own CLI (same entry point everywhere)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from commentgate.config import Settings


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
    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
    }
    CommentgateServer(settings, options).run()
