"""Schemathesis fuzzes the running API against its own ``/openapi.json``.

The real app (real Redis, a real database) is served by werkzeug in a thread;
the schemathesis CLI runs as a subprocess with a moderator key and must report
no failure. Bounded for ``make test``; docs/api.md says how to run it longer:
``ST_MAX_EXAMPLES`` (examples per operation) and ``ST_SEED`` (replay a run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.helpers import auth, make_key, submit_ok

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)
MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES", "15"))
SEED = os.environ.get("ST_SEED", "20261125")


class LongLineHandler(WSGIRequestHandler):
    """werkzeug's handler with request lines up to 1 MiB instead of http.server's 64 KiB.

    How long a query may be is the app's contract under test here, not the
    development server's: otherwise long generated queries meet an HTML 414
    that no production server in front of the app would send.
    """

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(1 << 20)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if self.parse_request():
            self.run_wsgi()
            self.wfile.flush()


@pytest.fixture
def served(app):
    """The app on a free local port, in a thread, for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=LongLineHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _st_binary() -> str:
    found = Path(sys.executable).with_name("st")
    return str(found) if found.exists() else shutil.which("st") or "st"


def _seed_some_comments(client, app, worker, key: str) -> None:
    ids = [submit_ok(client, app, title=f"Bình luận {i}") for i in range(3)]
    worker()
    client.post(f"/api/v1/moderation/comments/{ids[0]}/approve", headers=auth(key))


def _run_schemathesis(base_url: str, key: str, workdir: Path, *extra: str) -> None:
    command = [
        _st_binary(), "run", f"{base_url}/openapi.json",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", SEED,
        "--workers", "1",
        "--no-shrink",
        "--generation-database", "none",
        "--request-timeout", "20",
        "--header", f"Authorization: Bearer {key}",
        "--generation-with-security-parameters", "false",
        "--no-color",
        "--report", "junit", "--report-dir", str(workdir),
        *extra,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=workdir)
    Path(os.environ.get("ST_OUTPUT", workdir / "st.out")).write_text(done.stdout)
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary
    assert "unique failure" not in summary and "passed" in summary, summary


def _once_per_run(database_url: str) -> None:
    if database_url.startswith("sqlite") and os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("fuzzed once per run, on PostgreSQL (stricter about what it stores)")


def test_api_conforms_to_its_openapi_document(
    served, client, app, worker, moderator_key, database_url, tmp_path
):
    """Every operation, with the moderator key the issue names."""
    _once_per_run(database_url)
    _seed_some_comments(client, app, worker, moderator_key)
    _run_schemathesis(served, moderator_key, tmp_path)


def test_admin_and_host_operations_conform_with_an_admin_key(
    served, client, app, worker, sessions, database_url, tmp_path
):
    """The operations a moderator key only sees as 403, with a key that may use them."""
    _once_per_run(database_url)
    admin_key = make_key(sessions, "admin")
    _seed_some_comments(client, app, worker, admin_key)
    _run_schemathesis(served, admin_key, tmp_path, "--include-path-regex", "^/api/v1/(admin|host)/")
