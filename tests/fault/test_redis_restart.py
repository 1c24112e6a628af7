"""Redis restarted (empty) during a stream of submissions.

While it is down intake answers 503 with Retry-After and /readyz is 503;
once it is back everything recovers by itself, and every comment that got
a 202 is scored (jobs lost with Redis's memory are re-queued by the sweep).
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from tests.services import wait_for
from tests.stack import http, outcome_counts, submit


class Stream(threading.Thread):
    """Submits comments one after another until stopped, recording every reply."""

    def __init__(self, stack, redis_conn) -> None:
        super().__init__(daemon=True)
        self.stack, self.redis_conn = stack, redis_conn
        self.replies: list = []
        self.stopped = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopped.is_set():
            n += 1
            try:
                self.replies.append(submit(self.stack, self.redis_conn, n))
            except OSError as exc:  # the web server itself must never go away
                self.replies.append(exc)
            time.sleep(0.02)


def _ready(stack) -> int:
    return http("GET", f"{stack.base}/readyz").status


def test_redis_restart_during_submissions_loses_nothing(stack, redis_server, redis_conn, engine):
    stack.start_web(workers=2)
    stack.start_worker()
    stream = Stream(stack, redis_conn)
    stream.start()
    wait_for(lambda: sum(r.status == 202 for r in stream.replies) >= 20, what="steady flow")
    redis_server.stop()
    down_from = len(stream.replies)
    time.sleep(3)
    assert _ready(stack) == 503
    during = stream.replies[down_from:]
    redis_server.start()  # same port, empty: every queued job is gone
    wait_for(lambda: _ready(stack) == 200, what="readiness after Redis returns")
    back_from = len(stream.replies)
    wait_for(
        lambda: sum(r.status == 202 for r in stream.replies[back_from:]) >= 20, what="recovery"
    )
    stream.stopped.set()
    stream.join(timeout=30)

    replies = stream.replies
    assert all(not isinstance(r, Exception) for r in replies), "the web server stayed up"
    refused = [r for r in during if r.status == 503]
    assert refused and all(r.headers.get("Retry-After") for r in refused)
    assert {r.status for r in replies} <= {202, 503}, {r.status for r in replies}
    accepted = {r.body["id"] for r in replies if r.status == 202}
    wait_for(lambda: outcome_counts(engine, accepted)["lost"] == 0, what="scoring", timeout=90)
    figures = outcome_counts(engine, accepted)
    print(
        f"\nRedis restart: submitted {len(replies)} / accepted {len(accepted)} / "
        f"503 while down {len(refused)} / scored {figures['scored']} / lost {figures['lost']} / "
        f"duplicates {figures['duplicates']}"
    )
    assert figures == {"scored": len(accepted), "lost": 0, "duplicates": 0}
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM comments")).scalar_one()
    assert stored >= len(accepted)
