"""A poison comment whose job crashes every time: retried with back-off, then parked.

A trigger in the test database makes the verdict of one comment fail (and
counts each attempt in a sequence, which no rollback undoes). Its job is
retried after each back-off interval, re-queued a bounded number of times
by the sweep, and finally left in RQ's failed registry, where
``commentgate status`` shows it; other comments flow past it all along.
"""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from commentgate.queue import job_id_for
from tests.services import wait_for
from tests.stack import outcome_counts, submit
from workers.sweep import MAX_SWEEP_RETRIES

POISON = "☠ poison"
TRIGGER = """
CREATE SEQUENCE poison_attempts;
CREATE FUNCTION poison() RETURNS trigger AS $$
BEGIN
  IF NEW.content LIKE '%☠%' AND NEW.status <> 'received' THEN
    PERFORM nextval('poison_attempts');
    RAISE EXCEPTION 'poison comment %', NEW.id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER poison BEFORE UPDATE ON comments FOR EACH ROW EXECUTE FUNCTION poison();
"""
# Each clean comment's verdict notes how many poison attempts had run by then: the order
# of events, whatever the machine's speed.
SEEN = """
CREATE TABLE scored_after (comment_id text PRIMARY KEY, poison_attempts bigint);
CREATE FUNCTION note_attempts() RETURNS trigger AS $$
BEGIN
  INSERT INTO scored_after
    SELECT NEW.id, CASE WHEN is_called THEN last_value ELSE 0 END FROM poison_attempts;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER note_attempts AFTER UPDATE ON comments FOR EACH ROW
  WHEN (OLD.status = 'received' AND NEW.status <> 'received' AND NEW.content NOT LIKE '%☠%')
  EXECUTE FUNCTION note_attempts();
"""


def _attempts(engine) -> int:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT last_value, is_called FROM poison_attempts")).one()
    return row.last_value if row.is_called else 0


def _attempts_seen(engine, comment_ids: set[str]) -> list[int]:
    """For each scored comment, the poison attempts that had run when it was scored."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT comment_id, poison_attempts FROM scored_after")).all()
    return sorted(attempts for comment_id, attempts in rows if comment_id in comment_ids)


def _job_status(redis_conn, comment_id):
    raw = redis_conn.hget(f"rq:job:{job_id_for(comment_id)}", "status")
    return raw.decode() if raw else None


def _story(stack, what: str) -> str:
    """``what``, and the worker's account of the job's runs (retries, the sweep's re-queues)."""
    lines = stack.log_text("worker").splitlines()
    told = [line for line in lines if "retry" in line or "sweep re-queued" in line]
    return "\n".join([what, *told])


def test_poison_comment_is_retried_then_parked_without_blocking(stack, redis_conn, engine):
    with engine.begin() as conn:
        for sql in (TRIGGER, SEEN):
            conn.exec_driver_sql(sql.replace("%", "%%"))  # no placeholders here
    stack.start_web(workers=1)
    stack.start_worker()
    poison = submit(stack, redis_conn, 0, content=POISON)
    assert poison.status == 202
    poison_id = poison.body["id"]
    wait_for(lambda: _job_status(redis_conn, poison_id) == "scheduled", what="a back-off")
    clean = {submit(stack, redis_conn, n).body["id"] for n in range(1, 21)}
    wait_for(lambda: outcome_counts(engine, clean)["lost"] == 0, what="others scored meanwhile")

    runs_per_cycle = 1 + 2  # the first run and one per retry interval ([1, 2] here)
    expected = runs_per_cycle * (1 + MAX_SWEEP_RETRIES)
    seen = _attempts_seen(engine, clean)
    assert len(seen) == len(clean) and seen[0] >= 1  # all scored after the first attempt...
    assert seen[-1] < expected, "clean comments were held up until the poison was parked"
    wait_for(lambda: _attempts(engine) >= expected, what="every retry", timeout=120)
    wait_for(lambda: _job_status(redis_conn, poison_id) == "failed", what="parking")
    print(f"\npoison comment: {_attempts(engine)} attempts, then parked as failed")

    status = subprocess.run(
        [sys.executable, "-m", "launch", "status"],
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert f"{job_id_for(poison_id)} ended" in status and "poison comment" in status
    assert "failed 1" in status
    assert _attempts(engine) == expected, _story(stack, "parked means no further attempts")

    requeued = subprocess.run(
        [sys.executable, "-m", "launch", "requeue-failed", poison_id],
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert requeued.returncode == 0 and requeued.stdout.strip() == job_id_for(poison_id)
    wait_for(lambda: _attempts(engine) > expected, what="the operator's retry")
