"""Every request carries an id: the caller's, if it has a trace id's shape, else a new one.

The id is bound into the logs of the request and stored in the metadata of the jobs
it queues, and the response echoes it in ``X-Request-ID``.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, g, request

from service.deps import Services

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _assign_request_id() -> None:
    # A caller's id is kept only in the shape trace ids have: it travels into logs, job
    # metadata and the RQ dashboard, which prints job metadata as HTML.
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)


def _echo_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def init_app(app: Flask, svc: Services) -> None:
    """Assign the id before anything else looks at the request; echo it in the response."""
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)
