"""Browser fixtures: the API and a host page on two origins (Chromium: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from flask import Flask
from playwright.sync_api import Page

from commentgate.config import Settings
from commentgate.storage.db import transaction
from commentgate.storage.migrate import upgrade
from commentgate.storage.sites import ensure_site
from service.deps import EXTENSION
from tests.browser.servers import HostSite, LiveServer


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """SQLite only: what the browser sees does not depend on the database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'test.sqlite3'}"
    upgrade(url)
    yield url


@dataclass
class Stack:
    """The API, a host site on another origin, and what a test needs to reach behind them."""

    app: Flask
    api: LiveServer
    host: HostSite

    def answer(self, captcha_id: str) -> str:
        """Read a captcha's answer from Redis, as an operator would (never a bypass)."""
        answer = self.app.extensions[EXTENSION].captchas.answer(captcha_id)
        assert answer, f"captcha {captcha_id} is not live"
        return answer


def start_stack(settings: Settings, redis_client: redis.Redis, sessions) -> Stack:
    """Serve the real app and a host page whose origin is registered for ``demo``."""
    from service.app import create_app

    app = create_app(settings, redis_client=redis_client, sessions=sessions)
    api = LiveServer(app).start()
    host = HostSite(api.url).start()
    with transaction(sessions) as session:
        # The demo page is served by the API itself, so its origin counts too.
        ensure_site(session, "demo", [host.origin, api.url])
    return Stack(app, api, host)


@pytest.fixture
def stack(settings, redis_client, sessions, site) -> Iterator[Stack]:
    running = start_stack(settings, redis_client, sessions)
    yield running
    running.host.stop()
    running.api.stop()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    """A fresh browser context (own storage) and page; JavaScript dialogs are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()
