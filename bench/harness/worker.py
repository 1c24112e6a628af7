"""Worker: jobs per second of one ``commentgate worker`` process, beside RQ's no-op floor.

Per database: comments are accepted through the API while no worker runs, then one
worker process starts on the queue with a real model stored as the global prior. Its
rate is counted from its first verdict (the model loaded) until the queue is drained or
time is up, from the verdicts in the database. RQ's ``SimpleWorker`` running no-op jobs
on the same Redis, in this process, is reported beside it.
"""

from __future__ import annotations

import time

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from bench.harness import wrk
from bench.harness.load import Call
from bench.harness.plan import Plan, prior_model
from bench.harness.table import Row, judged, ratio
from bench.harness.world import World, answered_captchas, comment_body, world
from commentgate.storage.models import Comment, Verdict

TARGET = 100  # jobs/s per process
NOOP_JOBS = 1000
POLL_SECONDS = 0.05


def run(plan: Plan) -> list[Row]:
    """The worker rows, per database."""
    rows: list[Row] = []
    for backend in plan.backends:
        with world(backend, prior_model()) as here:
            rows += _measure(plan, here)
    return rows


def _measure(plan: Plan, here: World) -> list[Row]:
    part = f"worker ({here.backend})"
    web = here.start_web()
    captchas = answered_captchas(web, here.redis, plan.worker_comments)
    calls = [Call("POST", "/api/v1/comments", comment_body(i, c)) for i, c in enumerate(captchas)]
    wrk.closed(web, calls, "once", 600)
    here.stop("web")  # the worker alone on the machine
    queued = here.queue_length()
    rate = scored_per_second(here, plan.worker_seconds)
    noop = noop_per_second(here, NOOP_JOBS // (10 if plan.quick else 1))
    return [
        judged(
            part,
            f"one worker process, {queued} queued comments, model loaded",
            f"{rate:,.1f} jobs/s = {ratio(rate, noop):.2f}× RQ's no-op floor",
            f"≥ {TARGET} jobs/s",
            rate >= TARGET,
        ),
        Row(part, "RQ SimpleWorker, no-op jobs, in process", f"{noop:,.0f} jobs/s"),
    ]


def scored(here: World) -> int:
    """Comments with a verdict."""
    with here.engine().connect() as conn:
        return conn.execute(select(func.count(func.distinct(Verdict.comment_id)))).scalar_one()


def comments(here: World) -> int:
    """Comments stored (each is scored once)."""
    with here.engine().connect() as conn:
        return conn.execute(select(func.count()).select_from(Comment)).scalar_one()


def scored_per_second(here: World, seconds: float) -> float:
    """One worker's steady rate: from its first verdict until every comment has one, or
    ``seconds`` later. (The queue's length is no count of comments: other jobs, such as
    a captcha refill, wait there too.)"""
    expected = comments(here)
    here.start_workers(1)
    _wait(lambda: scored(here) > 0, 120)
    started, first = time.perf_counter(), scored(here)
    deadline = started + seconds
    while time.perf_counter() < deadline and scored(here) < expected:
        time.sleep(POLL_SECONDS)
    done, elapsed = scored(here), time.perf_counter() - started
    here.stop("worker-0")
    if done < expected:
        print(f"  worker: {done} of {expected} comments scored in {seconds:g} s")
    return (done - first) / elapsed if elapsed > 0 else 0.0


def noop_per_second(here: World, jobs: int) -> float:
    """RQ's ``SimpleWorker`` (no fork) draining ``jobs`` no-op jobs."""
    queue = Queue("bench-noop", connection=here.redis)
    for _ in range(jobs):
        queue.enqueue("bench.harness.noop.noop")
    started = time.perf_counter()
    SimpleWorker([queue], connection=here.redis).work(burst=True, logging_level="WARNING")
    return jobs / (time.perf_counter() - started)


def _wait(predicate, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("no verdict came; see the worker's log")
        time.sleep(0.1)
