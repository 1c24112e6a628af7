"""1,000 comments through the faults: Redis restart, database outage, worker SIGKILL.

Readers behave like the widget: on 503 they wait a moment and try again,
a bounded number of times. At the end every comment that got a 202 must be
scored (lost = 0) and no comment may have more than one committed verdict
(duplicates = 0), counted from the append-only verdict log.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from commentgate.queue import job_id_for
from tests.services import wait_for
from tests.stack import outcome_counts, submit
from workers.sweep import sweep_retries_key

COMMENTS = 1000
READERS = 6
TRIES = 60  # a reader gives up after this many 503s (never reached in practice)


class Soak:
    """Submits comments from several threads and records what came back."""

    def __init__(self, stack, redis_conn) -> None:
        self.stack, self.redis_conn = stack, redis_conn
        self.accepted: set[str] = set()
        self.refused = 0
        self.unavailable = 0
        self.statuses: set[int] = set()
        self.done = 0
        self.lock = threading.Lock()

    def one(self, n: int) -> None:
        for _ in range(TRIES):
            reply = submit(self.stack, self.redis_conn, n)
            with self.lock:
                self.statuses.add(reply.status)
                if reply.status == 202:
                    self.accepted.add(reply.body["id"])
                    self.done += 1
                    return
                self.unavailable += reply.status == 503
            time.sleep(0.2)
        with self.lock:
            self.refused += 1
            self.done += 1


def stuck_report(engine, redis_conn, accepted: set[str]) -> str:
    """Why accepted comments are still waiting: their jobs as Redis has them."""
    with engine.connect() as conn:
        waiting = conn.execute(text("SELECT id FROM comments WHERE status = 'received'")).scalars()
        stuck = sorted(set(waiting) & accepted)
    lines = [f"{len(stuck)} accepted comments still waiting"]
    for comment_id in stuck[:10]:
        job = redis_conn.hgetall(f"rq:job:{job_id_for(comment_id)}")
        fields = {k.decode(): v.decode(errors="replace")[:80] for k, v in job.items()}
        keep = ("status", "enqueued_at", "started_at", "ended_at", "last_heartbeat", "retries_left")
        tries = redis_conn.get(sweep_retries_key(comment_id))
        lines.append(f"{comment_id}: {[(k, fields.get(k)) for k in keep]} sweeps={tries}")
    return "\n".join(lines)


def _at(soak: Soak, count: int) -> None:
    wait_for(lambda: soak.done >= count, what=f"{count} comments", timeout=180)


def test_soak_thousand_comments_through_faults(stack, redis_server, proxy, redis_conn, engine):
    stack.start_web(workers=2)
    stack.start_worker("worker-a")
    stack.start_worker("worker-b")
    soak = Soak(stack, redis_conn)
    started = time.monotonic()
    with ThreadPoolExecutor(READERS) as pool:
        futures = [pool.submit(soak.one, n) for n in range(COMMENTS)]
        _at(soak, 200)
        redis_server.stop()
        time.sleep(2)
        redis_server.start()
        _at(soak, 450)
        proxy.cut()
        time.sleep(3)
        proxy.restore()
        _at(soak, 700)
        stack.kill("worker-a")  # mid-job while the backlog drains
        stack.start_worker("worker-c")
        for future in futures:
            future.result()
    submitted_in = time.monotonic() - started
    try:
        wait_for(
            lambda: outcome_counts(engine, soak.accepted)["lost"] == 0, what="drain", timeout=180
        )
    except AssertionError:
        raise AssertionError(stuck_report(engine, redis_conn, soak.accepted)) from None
    figures = outcome_counts(engine, soak.accepted)
    print(
        f"\nsoak: submitted {COMMENTS} / accepted {len(soak.accepted)} / "
        f"scored {figures['scored']} / lost {figures['lost']} / "
        f"duplicates {figures['duplicates']}  "
        f"(503 answers retried: {soak.unavailable}; given up: {soak.refused}; "
        f"submitting took {submitted_in:.0f}s, all scored after {time.monotonic() - started:.0f}s)"
    )
    assert soak.statuses <= {202, 503}, soak.statuses
    assert soak.refused == 0, f"{soak.refused} readers gave up after {TRIES} answers of 503"
    assert len(soak.accepted) == COMMENTS
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
