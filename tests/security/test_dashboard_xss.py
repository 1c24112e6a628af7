"""Markup in a failed job's exception text, description and metadata is inert on the RQ
dashboard: shown as text, never parsed into elements, never run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import rq_dashboard
from playwright.sync_api import Page, expect
from rq import SimpleWorker

from commentgate.domain import Role
from commentgate.queue import moderation_queue
from commentgate.storage.db import transaction
from commentgate.storage.keys import create_key
from tests.browser.csp import record_violations, violations
from tests.browser.servers import LiveServer

PAYLOAD = '<img src=x onerror="window.__pwned=1">'
OURS = Path(__file__).resolve().parents[2] / "service" / "ops" / "templates" / "rq_dashboard"
UPSTREAM = Path(rq_dashboard.__file__).parent / "templates" / "rq_dashboard"


def explode() -> None:
    """A job that fails the way a webhook delivery to a crafted URL would have."""
    raise RuntimeError(f"delivery to http://10.0.0.1/{PAYLOAD} failed")


@pytest.fixture
def failed_job(redis_client) -> str:
    queue = moderation_queue(redis_client)
    job = queue.enqueue(explode, description=PAYLOAD, meta={"note": PAYLOAD})
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    assert job.get_status(refresh=True) == "failed"
    return job.id


@pytest.fixture
def dashboard(app, sessions, browser) -> Iterator[tuple[str, Page]]:
    """The live app, and a tab logged in to its dashboard with an ops key."""
    with transaction(sessions) as session:
        key = create_key(session, Role.OPS, "ops", None)
    server = LiveServer(app).start()
    context = browser.new_context(http_credentials={"username": "ops", "password": key})
    context.set_default_timeout(10_000)
    record_violations(context)
    yield server.url, context.new_page()
    context.close()
    server.stop()


def assert_inert(page: Page, where: str) -> None:
    """The payload is on the page as text, and nothing it would have done happened."""
    expect(page.locator(where).first).to_contain_text(PAYLOAD)
    assert violations(page) == []
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_job_view_shows_markup_as_text(dashboard, failed_job):
    base, page = dashboard
    page.goto(f"{base}/ops/rq/0/view/job/{failed_job}")
    assert_inert(page, "#job-data pre.exc_info")
    expect(page.locator("#job-data .description-scroll")).to_have_text(PAYLOAD)
    expect(page.locator("#job-data")).to_contain_text(json.dumps({"note": PAYLOAD})[1:-1])


@pytest.mark.browser
def test_failed_jobs_list_shows_markup_as_text(dashboard, failed_job):
    base, page = dashboard
    page.goto(f"{base}/ops/rq/0/view/jobs/moderation/failed/8/asc/1")
    assert_inert(page, "#jobs pre.exc_info")
    expect(page.locator("#jobs .description")).to_have_text(PAYLOAD)


def raw_interpolations(template: Path) -> int:
    """Underscore's unescaped ``<%= %>`` in a template, Jinja comments aside."""
    return re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S).count("<%=")


def test_every_upstream_template_that_interpolates_raw_values_is_overridden():
    for upstream in UPSTREAM.rglob("*.*"):
        if raw_interpolations(upstream):
            ours = OURS / upstream.relative_to(UPSTREAM)
            assert ours.exists() and raw_interpolations(ours) == 0, ours
