"""``GET /widget.js``: the one script host pages include, validated by its content hash.

The script is assembled once per process: the static source plus what it must
agree on with the server (messages, length limits, the form's words and its
stylesheet), so nothing is written twice. Its ETag is the hash of the result.
It is compressed once too, for the many readers whose browsers accept gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from flask import Blueprint, Response, request

from commentgate.messages import ERRORS, FIELDS
from service.schemas import MAX_LENGTHS
from service.widget.texts import UI

assets = Blueprint("widget_assets", __name__)

CONFIG_SLOT = "__COMMENTGATE_CONFIG__"
# The messages the script shows when the server could not answer in words.
SCRIPT_ERRORS = ("validation_failed", "rate_limited", "unavailable")
# The field messages the script writes itself, before sending; the server's answers carry
# their own, already in the reader's language.
SCRIPT_FIELDS = ("required", "too_long", "phone_invalid", "consent_required")
# Short: a fixed script reaches readers within minutes; revalidating is a 304.
CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    """A generated file, gzipped, and its strong ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def _static(name: str) -> str:
    return (resources.files("service.widget") / "static" / name).read_text("utf-8")


@cache
def widget_css() -> str:
    """The stylesheet shared by the script widget and the no-JavaScript form."""
    return _static("widget.css")


@cache
def widget_script() -> Asset:
    """``widget.js`` with its configuration filled in."""
    config = {
        "css": widget_css(),
        "text": UI,
        "maxLengths": MAX_LENGTHS,
        "messages": {
            "fields": {k: FIELDS[k] for k in SCRIPT_FIELDS},
            "errors": {k: ERRORS[k] for k in SCRIPT_ERRORS},
        },
    }
    encoded = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    body = _static("widget.js").replace(CONFIG_SLOT, encoded).encode()
    return Asset(body, gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:32])


@assets.get("/widget.js")
def widget_js() -> Response:
    """The widget script; ``If-None-Match`` with the current hash answers 304."""
    script = widget_script()
    zipped = request.accept_encodings.quality("gzip") > 0
    response = Response(script.gzipped if zipped else script.body, mimetype="text/javascript")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    # Each encoding is its own representation, so each has its own strong ETag.
    response.set_etag(f"{script.etag}-gzip" if zipped else script.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    # Host pages that isolate themselves (COEP) may still load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)
