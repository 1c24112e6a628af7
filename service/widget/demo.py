"""``GET /demo``: a news article with the widget, as a host page would carry it."""

from __future__ import annotations

from flask import Blueprint, render_template, request

demo = Blueprint("demo", __name__, template_folder="templates")

# `commentgate run` registers this site with the service's own origins.
DEMO_SITE = "demo"
DEMO_ARTICLE = "demo/ha-noi-chay-thu-buyt-dien"


@demo.get("/demo")
def demo_page() -> str:
    """The demo article; ``?lang=en`` shows the widget in English."""
    lang = "en" if request.args.get("lang") == "en" else "vi"
    return render_template("demo.html", site=DEMO_SITE, article=DEMO_ARTICLE, lang=lang)
