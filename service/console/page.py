"""The console's page and its files: plain HTML, CSS and JavaScript modules, no templates.

The page holds no data and no secret: it signs in with a moderator key kept in the
tab's ``sessionStorage`` and then does only what that key may do through the public
moderation API, so serving it needs no authentication.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

console = Blueprint(
    "console",
    __name__,
    static_folder="static",
    static_url_path="/moderate/static",
)

# The files change with each release; revalidating them is a cheap 304.
CACHE_CONTROL = "no-cache"


@console.get("/moderate")
def moderate_page() -> Response:
    """The review page (its script does the rest)."""
    response = send_from_directory(console.static_folder, "index.html", mimetype="text/html")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
