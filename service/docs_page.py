"""``/docs``: the OpenAPI document as a browsable page, served without any CDN.

Swagger UI's files come from the ``flask-openapi3-swagger`` package, which
bundles them, so the page works on a machine with no internet access. The
page is ours (not the plugin's) so that it lives at ``/docs`` and can say
how to authenticate. Without the package, a plain page links the document.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from commentgate.errors import NotFoundError

_SPEC = importlib.util.find_spec("flask_openapi3_swagger")
ASSETS = Path(_SPEC.origin).parent / "templates" / "swagger" if _SPEC and _SPEC.origin else None

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>commentgate API</title>
  <link rel="icon" href="/docs/assets/images/swagger.svg">
  <link rel="stylesheet" href="/docs/assets/css/swagger-ui.css">
  <link rel="stylesheet" href="/docs/own/page.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript><p>The contract: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
  <script src="/docs/assets/js/swagger-ui-bundle.js"></script>
  <script src="/docs/own/init.js"></script>
</body>
</html>
"""

# Ours, as files rather than inline, so that the page's policy allows scripts and styles
# from us only. No validator: it would send the document's URL to validator.swagger.io.
OWN_FILES = {
    "init.js": (
        "text/javascript",
        """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
""",
    ),
    "page.css": ("text/css", "body { margin: 0; background: #fafafa; }\n"),
}

FALLBACK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>commentgate API</title></head>
<body><h1>commentgate API</h1>
<p>The contract is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>.</p></body></html>
"""

docs_page = Blueprint("docs_page", __name__)


@docs_page.get("/docs")
def docs() -> Response:
    """The browsable API reference."""
    page = PAGE if ASSETS is not None else FALLBACK
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-cache"})


@docs_page.get("/docs/own/<name>")
def own_file(name: str) -> Response:
    """The page's own script (Swagger UI's settings) and stylesheet.

    Raises:
        NotFoundError: any other name.
    """
    if name not in OWN_FILES:
        raise NotFoundError(name)
    mimetype, text = OWN_FILES[name]
    return Response(text, mimetype=mimetype, headers={"Cache-Control": "no-cache"})


@docs_page.get("/docs/assets/<path:name>")
def assets(name: str) -> Response:
    """Swagger UI's own files (css, js, images)."""
    if ASSETS is None:
        raise NotFoundError(name)
    # Unknown or unsafe names raise werkzeug's NotFound, which maps to our 404.
    return send_from_directory(ASSETS, name, max_age=3600)
