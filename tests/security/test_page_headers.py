"""Every HTML page carries its own CSP, nosniff and a Referrer-Policy; JSON carries nosniff."""

from __future__ import annotations

import base64
import re

import pytest

from commentgate.domain import Role
from commentgate.storage.db import transaction
from commentgate.storage.keys import create_key
from tests.conftest import TEST_ORIGIN
from tests.helpers import submit_ok
from tests.html_page import Page

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin-when-cross-origin"}
# Pages nobody may frame; the no-JavaScript form is framed by its site's pages.
UNFRAMED = (
    "/docs",
    "/demo",
    "/moderate",
    "/ops/rq/",
    "/ops/rq/0/view/workers",
    "/ops/rq/0/view/jobs",
)
EMBED = ("/embed/form?site=demo&article=a", "/embed/form?site=nope&article=a")


@pytest.fixture
def ops(sessions) -> dict[str, str]:
    with transaction(sessions) as session:
        key = create_key(session, Role.OPS, "ops", None)
    return {"Authorization": "Basic " + base64.b64encode(f"ops:{key}".encode()).decode()}


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = (d.strip().split(None, 1) for d in policy.split(";") if d.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def assert_page_headers(response) -> dict[str, str]:
    assert response.status_code in (200, 404) and response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in REFERRER_POLICIES
    csp = directives(response)
    assert csp["default-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in csp.get("script-src", "")
    nonce = re.search(r"'nonce-([^']+)'", csp.get("script-src", ""))
    # Inline scripts run only with this response's nonce (templates are not scripts).
    for script in Page(response.get_data(as_text=True)).elements:
        if (
            script.tag == "script"
            and not script.get("src")
            and script.get("type") != ("text/template")
        ):
            assert nonce is not None and script.get("nonce") == nonce.group(1)
    return csp


def test_pages_that_nobody_frames(client, app, ops):
    job = f"moderate-{submit_ok(client, app)}"
    for path in (*UNFRAMED, f"/ops/rq/0/view/job/{job}"):
        response = client.get(path, headers=ops if path.startswith("/ops/") else {})
        csp = assert_page_headers(response)
        assert csp["frame-ancestors"] == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_the_form_is_framed_only_by_its_sites_pages(client):
    for path in EMBED:
        response = client.get(path)
        csp = assert_page_headers(response)
        assert "script-src" not in csp
        assert csp["frame-ancestors"].split()[0] == "'self'"
        assert "X-Frame-Options" not in response.headers
    assert TEST_ORIGIN in directives(client.get(EMBED[0]))["frame-ancestors"].split()


def test_dashboard_nonces_differ_per_response(client, ops):
    first, second = (directives(client.get("/ops/rq/", headers=ops)) for _ in range(2))
    assert "'unsafe-eval'" in first["script-src"]
    assert first["script-src"] != second["script-src"]


def test_json_answers_are_not_sniffed(client, ops):
    for path in ("/healthz", "/openapi.json", "/api/v1/nowhere", "/ops/rq/0/data/queues.json"):
        response = client.get(path, headers=ops)
        assert response.mimetype == "application/json", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert client.get("/widget.js").headers["X-Content-Type-Options"] == "nosniff"
