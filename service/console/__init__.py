"""``/moderate``: the moderators' review page, a static page over the moderation API."""

from __future__ import annotations

from flask import Flask

from service.console.page import console
from service.deps import Services

__all__ = ["console", "init_app"]


def init_app(app: Flask, svc: Services) -> None:
    """Register the console's page and files on ``app``."""
    app.register_blueprint(console)
