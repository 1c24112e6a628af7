"""Each page we serve works under its own Content-Security-Policy: nothing it needs is blocked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from commentgate.domain import Role
from commentgate.storage.db import transaction
from commentgate.storage.keys import create_key
from tests.browser.csp import record_violations, violations
from tests.services import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(page: Page) -> Page:
    record_violations(page.context)
    return page


@pytest.fixture
def ops_tab(browser, sessions) -> Iterator[Page]:
    """A tab whose browser answers the dashboard's Basic challenge with an ops key."""
    with transaction(sessions) as session:
        key = create_key(session, Role.OPS, "ops", None)
    context = browser.new_context(http_credentials={"username": "ops", "password": key})
    context.set_default_timeout(10_000)
    record_violations(context)
    yield context.new_page()
    context.close()


def test_swagger_ui_renders_and_tries_a_call(stack, tab):
    tab.goto(f"{stack.api.url}/docs")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("commentgate")
    tab.locator(".opblock-summary").first.click()
    tab.get_by_role("button", name="Try it out").click()
    tab.get_by_role("button", name="Execute").click()
    expect(tab.locator(".responses-wrapper .live-responses-table")).to_be_visible()
    assert violations(tab) == []


def test_demo_page_shows_the_widget_with_its_captcha(stack, tab):
    tab.goto(f"{stack.api.url}/demo")
    image = tab.locator(".cg-captcha-img")
    expect(image).to_be_visible()
    drawn(image)
    assert violations(tab) == []


def test_form_without_javascript_shows_its_captcha(stack, tab):
    tab.goto(f"{stack.api.url}/embed/form?site=demo&article=bai-1")
    drawn(tab.locator(".cg-captcha-img"))
    assert violations(tab) == []


def test_dashboard_pages_run_their_scripts(stack, ops_tab):
    for view, empty in (("queues", "No queues."), ("workers", "No workers."), ("jobs", "No jobs.")):
        ops_tab.goto(f"{stack.api.url}/ops/rq/0/view/{view}")
        # The rows come from the dashboard's own script, rendered by its templates.
        expect(ops_tab.locator("tbody")).to_contain_text(empty)
        assert violations(ops_tab) == [], view


def drawn(image) -> None:
    """Wait until the captcha picture has loaded. The page's policy forbids eval, which a
    string predicate of wait_for_function needs, so the element is read from outside."""
    wait_for(lambda: image.evaluate("img => img.naturalWidth") > 0, what="the captcha picture")
