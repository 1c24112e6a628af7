"""A worker killed with SIGKILL mid-job: its comments are scored later, exactly once.

The job is held mid-flight by a real PostgreSQL row lock the test takes on
a comment, so the kill lands while the worker waits inside its UPDATE.
"""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import text

from commentgate.queue import job_id_for
from tests.services import wait_for
from tests.stack import children_of, submit


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


def _blocked_batch(stack, redis_conn, engine, count: int):
    """``count`` comments queued before any worker runs, the middle one's row locked."""
    ids = []
    for n in range(count):
        reply = submit(stack, redis_conn, n)
        assert reply.status == 202, reply.body
        ids.append(reply.body["id"])
    lock = engine.connect()
    lock.execute(text("SELECT id FROM comments WHERE id = :id FOR UPDATE"), {"id": ids[count // 2]})
    return ids, lock


def test_worker_process_killed_mid_batch_is_replaced_and_its_jobs_scored_once(
    stack, redis_conn, engine
):
    stack.start_web(workers=1)
    ids, lock = _blocked_batch(stack, redis_conn, engine, 9)
    supervisor = stack.start_worker("worker")
    wait_for(lambda: _blocked_on_lock(engine), what="the batch to block on the row lock")
    (doomed,) = children_of(supervisor.pid)  # one worker process under the supervisor
    assert {_job_status(redis_conn, i) for i in ids} == {"started"}, "taken as one batch"
    started = time.monotonic()
    os.kill(doomed, signal.SIGKILL)
    lock.rollback()
    lock.close()
    wait_for(lambda: _replaced(supervisor.pid, doomed), what="a new worker process")
    wait_for(
        lambda: all(_status(engine, i) != "received" for i in ids), what="rescoring", timeout=60
    )
    print(
        f"\nworker SIGKILL mid-batch: all scored {time.monotonic() - started:.1f}s after the kill"
    )
    assert [_verdicts(engine, i) for i in ids] == [1] * len(ids)
    assert supervisor.poll() is None, "the supervisor survives its worker"
    log = stack.log_text("worker")
    assert "killed by signal 9" in log and log.count("(abandoned)") >= len(ids)


def _replaced(supervisor_pid: int, dead: int) -> bool:
    children = children_of(supervisor_pid)
    return len(children) == 1 and dead not in children
