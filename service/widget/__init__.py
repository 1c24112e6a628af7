"""What readers' browsers load: the widget script, the no-JavaScript form, the demo page."""

from __future__ import annotations

from flask import Flask

from service.deps import Services
from service.widget.assets import assets
from service.widget.demo import demo
from service.widget.embed import embed

__all__ = ["embed", "init_app"]


def init_app(app: Flask, svc: Services) -> None:
    """Register the widget's routes on ``app``."""
    for blueprint in (assets, embed, demo):
        app.register_blueprint(blueprint)
