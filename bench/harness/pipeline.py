"""The whole pipeline: comments at a steady rate, open loop, through web and a worker.

``commentgate web`` and one ``commentgate worker`` run on this machine. Comments (with
captchas issued and answered beforehand) are sent on a schedule, request ``i`` at
``start + i / rate``, by Python threads that do not wait for earlier replies. A sampler
reads the moderation queue's length every 0.1 s until every accepted comment has a
verdict. Accepted → scored is the first verdict's timestamp minus the comment's
``created_at``, both written by the database's clients on this machine.
"""

from __future__ import annotations

import json
import threading
import time

from sqlalchemy import select

from bench.harness import memory
from bench.harness.load import Call, each_once, percentile
from bench.harness.plan import Plan, prior_model
from bench.harness.table import Row, judged
from bench.harness.world import World, answered_captchas, comment_body, world
from commentgate.storage.models import Comment, Verdict

P95_SECONDS, MAX_DEPTH, WORKERS = 1.0, 100, 1
DRAIN_SECONDS = 20  # after the last comment is sent


def run(plan: Plan) -> list[Row]:
    """The pipeline rows, and the memory of its processes after the run."""
    with world(plan.main_backend, prior_model()) as here:
        return _measure(plan, here)


def _measure(plan: Plan, here: World) -> list[Row]:
    part, rate = f"pipeline ({here.backend})", plan.open_rate
    web = here.start_web()
    captchas = answered_captchas(web, here.redis, int(rate * plan.open_seconds))
    calls = [Call("POST", "/api/v1/comments", comment_body(i, c)) for i, c in enumerate(captchas)]
    here.start_workers(WORKERS)
    sampler = QueueSampler(here).start()
    sent = each_once(web, calls, rate)
    accepted = {json.loads(r.body)["id"] for _, _, r in sent.replies if r.status == 202}
    waits = _scoring_waits(here, accepted)
    sampler.stop()
    unscored = len(accepted) - len(waits)
    p95 = percentile(waits + [float("inf")] * unscored, 95)
    rows = [
        Row(part, "load", f"{len(calls)} comments at {rate:g}/s open loop, {WORKERS} worker"),
        Row(part, "intake under it", f"{len(accepted)} accepted, p99 {sent.p99 * 1000:.0f} ms"),
        judged(
            part,
            "accepted → scored, p95",
            _waits_figure(p95, waits, unscored),
            f"< {P95_SECONDS:g} s",
            p95 < P95_SECONDS and len(accepted) == len(calls),
        ),
        judged(
            part,
            "queue depth, largest sample",
            f"{sampler.deepest} jobs",
            f"≤ {MAX_DEPTH}",
            sampler.deepest <= MAX_DEPTH,
        ),
    ]
    return rows + memory.rows(here)


def _waits_figure(p95: float, waits: list[float], unscored: int) -> str:
    late = f", {unscored} unscored {DRAIN_SECONDS} s after the last was sent" if unscored else ""
    shown = f"{p95:.2f} s" if p95 != float("inf") else "over the wait"
    return f"{shown} (p50 {percentile(waits, 50):.2f} s of those scored){late}"


def _scoring_waits(here: World, accepted: set[str]) -> list[float]:
    """Seconds from each accepted comment's row to its first verdict (waits for the worker)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        with here.engine().connect() as conn:
            created = dict(conn.execute(select(Comment.id, Comment.created_at)).all())
            verdicts = conn.execute(select(Verdict.comment_id, Verdict.created_at)).all()
        first: dict[str, object] = {}
        for comment_id, at in verdicts:
            first[comment_id] = min(at, first.get(comment_id, at))
        if accepted <= first.keys() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return [(first[c] - created[c]).total_seconds() for c in accepted if c in first]


class QueueSampler:
    """The moderation queue's length, read every 0.1 s on a thread of its own."""

    def __init__(self, here: World) -> None:
        self._here = here
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.deepest = 0

    def start(self) -> QueueSampler:
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.deepest = max(self.deepest, self._here.queue_length())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
