"""The moderator console with 500 pending comments, in headless Chromium: how soon it is usable.

Serves the real app (werkzeug in a thread, a private redis-server, SQLite) with 500 scored
pending comments, opens ``/moderate`` signed in (the key already in the tab's
``sessionStorage``) and measures in the page's own clock:

* *first row*: from the start of navigation to the first comment card in the DOM and
  painted (the next animation frame), over several fresh loads;
* *next after a*: from the ``a`` key press to the next comment marked current and painted,
  over many presses (each decision also goes to the API, as the console is optimistic).

Target for both: under a second. Needs Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.result import Result
from commentgate.config import Settings
from commentgate.domain import ModerationMode, Role
from commentgate.storage.db import make_engine, make_session_factory, transaction
from commentgate.storage.keys import create_key
from commentgate.storage.migrate import upgrade
from commentgate.storage.sites import ensure_site
from tests.browser.queue_data import Pending, reason, store_pending
from tests.browser.servers import LiveServer
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.services import RedisServer

COMMENTS = 500
LOADS = 5
PRESSES = 30
TARGET_MS = 1000.0
KEY_SLOT = "commentgate.console.key"

# Runs before the console's own script: when the first card and each new current card
# appear, note the time one frame later (when it has been painted).
_PROBE = """
window.__bench = { firstRow: null, keyAt: null, next: [] };
document.addEventListener("keydown", (e) => {
  if (e.key === "a") window.__bench.keyAt = e.timeStamp;
}, true);
new MutationObserver(() => {
  const b = window.__bench;
  if (b.firstRow === null && document.querySelector("li.card")) {
    b.firstRow = -1;
    requestAnimationFrame(() => { b.firstRow = performance.now(); });
  }
  if (b.keyAt !== null && document.querySelector("li.card.current")) {
    const at = b.keyAt;
    b.keyAt = null;
    requestAnimationFrame(() => b.next.push(performance.now() - at));
  }
}).observe(document, { subtree: true, childList: true, attributes: true,
  attributeFilter: ["class"] });
"""


def _pending(i: int) -> Pending:
    content = (
        f"Bài viết rất hay, tôi muốn hỏi thêm về tuyến số {i}: liên hệ zalo 09123456{i % 100:02d}"
    )
    start = content.index("zalo")
    return Pending(
        title=f"Ý kiến số {i}",
        content=content,
        article=f"bai-{i % 20}",
        phone=f"+849123456{i % 100:02d}",
        ip=f"10.0.{i % 250}.1",
        score=round(1.0 + (i % 7) / 3, 2),
        reasons=[
            reason("contact_zalo", 2.0, ("content", start, len(content))),
            reason("model", 0.4),
        ],
        age=float(i),
    )


def _serve(workdir: Path):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = RedisServer(workdir).start()
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    settings = Settings(var_dir=workdir / "var", redis_url=server.url, database_url=url)
    with transaction(sessions) as session:
        ensure_site(session, "demo", ["https://news.example"], ModerationMode.PRE)
        key = create_key(session, Role.MODERATOR, "bench", None)
    store_pending(sessions, settings, [_pending(i) for i in range(COMMENTS)])
    from service.app import create_app

    app = create_app(settings, redis_client=redis.Redis.from_url(server.url), sessions=sessions)
    return server, LiveServer(app).start(), key


def _wait(page, expression: str, timeout: float = 30.0) -> None:
    """Poll ``expression`` (wait_for_function would evaluate it, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.01)


def _measure(browser, url: str, key: str) -> tuple[list[float], list[float]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_init_script(f"sessionStorage.setItem({KEY_SLOT!r}, {key!r});")
    context.add_init_script(_PROBE)
    page = context.new_page()
    firsts = []
    for _ in range(LOADS):
        page.goto(f"{url}/moderate")
        _wait(page, "window.__bench.firstRow > 0")
        firsts.append(page.evaluate("window.__bench.firstRow"))
    _wait(page, "document.body.dataset.calls === '0'")
    for _ in range(PRESSES):
        page.keyboard.press("a")
    _wait(page, f"window.__bench.next.length >= {PRESSES}")
    nexts = page.evaluate("window.__bench.next")
    context.close()
    return firsts, nexts


def _verdict(ms: float) -> str:
    return f"ms ({'pass' if ms < TARGET_MS else 'FAIL'}: target < {TARGET_MS:.0f})"


def run() -> list[Result]:
    """Serve 500 pending comments and time the console in Chromium."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("bench.console needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        redis_server, live, key = _serve(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                firsts, nexts = _measure(browser, live.url, key)
                browser.close()
        finally:
            live.stop()
            redis_server.stop()
    first, first_worst = statistics.median(firsts), max(firsts)
    nxt, nxt_worst = statistics.median(nexts), max(nexts)
    return [
        Result(f"console: first row, median of {LOADS} loads", first, _verdict(first)),
        Result("console: first row, slowest load", first_worst, _verdict(first_worst)),
        Result(f"console: next after a, median of {PRESSES}", nxt, _verdict(nxt)),
        Result("console: next after a, slowest", nxt_worst, _verdict(nxt_worst)),
    ]


if __name__ == "__main__":
    from bench.__main__ import main

    sys.exit(main(["bench.console"]))
