"""What readers' browsers load: the widget script, the no-JavaScript form, the demo page."""

from __future__ import annotations

from flask import Flask

from service.widget.assets import assets
from service.widget.demo import demo
from service.widget.embed import embed

__all__ = ["embed", "init_widget"]


def init_widget(app: Flask) -> None:
    """Register the widget's routes on ``app``."""
    for blueprint in (assets, embed, demo):
        app.register_blueprint(blueprint)
