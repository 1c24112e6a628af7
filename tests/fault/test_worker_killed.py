"""A worker killed with SIGKILL mid-job: the comment is scored later, exactly once.

The job is held mid-flight by a real PostgreSQL row lock the test takes on
the comment, so the kill lands while the worker waits inside its UPDATE.
"""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import text

from commentgate.queue import job_id_for
from tests.services import wait_for
from tests.stack import submit, work_horses_of


def _blocked_on_lock(engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND query ILIKE 'UPDATE comments%'"
                )
            ).scalar_one()
        )


def _verdicts(engine, comment_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM verdicts WHERE comment_id = :id"), {"id": comment_id}
        ).scalar_one()


def _status(engine, comment_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT status FROM comments WHERE id = :id"), {"id": comment_id}
        ).scalar_one()


def _accept_and_hold(stack, redis_conn, engine):
    """A 202 comment whose row the test locks; returns the id and the open lock."""
    reply = submit(stack, redis_conn, 1)
    assert reply.status == 202, reply.body
    comment_id = reply.body["id"]
    lock = engine.connect()
    lock.execute(text("SELECT id FROM comments WHERE id = :id FOR UPDATE"), {"id": comment_id})
    return comment_id, lock


def _job_status(redis_conn, comment_id: str) -> str | None:
    raw = redis_conn.hget(f"rq:job:{job_id_for(comment_id)}", "status")
    return raw.decode() if raw else None


def test_worker_killed_mid_job_is_rescored_by_the_sweep(stack, redis_conn, engine):
    stack.start_web(workers=1)
    comment_id, lock = _accept_and_hold(stack, redis_conn, engine)
    stack.start_worker("doomed")
    wait_for(lambda: _blocked_on_lock(engine), what="the job to block on the row lock")
    assert _job_status(redis_conn, comment_id) == "started"
    stack.kill("doomed")  # worker and work-horse, like a crashed container
    lock.rollback()
    lock.close()
    assert _status(engine, comment_id) == "received"
    started = time.monotonic()
    stack.start_worker("survivor")
    wait_for(lambda: _status(engine, comment_id) != "received", what="rescoring", timeout=60)
    print(f"\nworker SIGKILL: comment rescored {time.monotonic() - started:.1f}s after restart")
    assert _status(engine, comment_id) == "pending"
    assert _verdicts(engine, comment_id) == 1
    assert "(abandoned)" in stack.log_text("survivor")


def test_work_horse_killed_mid_job_is_retried_by_rq(stack, redis_conn, engine):
    stack.start_web(workers=1)
    comment_id, lock = _accept_and_hold(stack, redis_conn, engine)
    worker = stack.start_worker("worker")
    wait_for(lambda: _blocked_on_lock(engine), what="the job to block on the row lock")
    horses = work_horses_of(worker.pid)
    assert len(horses) == 1, "the worker runs its job in a forked work-horse"
    started = time.monotonic()
    for pid in horses:
        os.kill(pid, signal.SIGKILL)
    lock.rollback()
    lock.close()
    wait_for(lambda: _status(engine, comment_id) != "received", what="the retry", timeout=60)
    print(f"\nwork-horse SIGKILL: comment scored {time.monotonic() - started:.1f}s after the kill")
    assert _verdicts(engine, comment_id) == 1
    assert worker.poll() is None, "the worker itself survives its work-horse"
