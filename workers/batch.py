"""Scoring a batch of waiting comments in one transaction, with the verdicts that scoring
them one at a time would give.

The comments are scored in their order, each verdict written in the batch's transaction
before the next comment is scored: the recent-activity memory (duplicates, bursts) and an
author's history (an earlier comment of the batch found spam) see the batch's earlier
comments exactly as they would have one job after another. One commit ends the batch.

A comment that fails (its scoring raises, its write is refused, the batch's time runs out
while it is scored) fails alone: the batch's transaction is given up, that comment keeps its
error, and the others are written one at a time, each in a transaction of its own; those
scored already keep their verdict rather than being scored (and remembered) again. A failed
commit sends the whole batch down the same path.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType

from rq.timeouts import BaseTimeoutException

from commentgate import metrics
from commentgate.logging import log_context
from commentgate.queue import JOB_TIMEOUT_SECONDS
from commentgate.storage.comments import load_comments
from commentgate.storage.db import UnitOfWork, unit_of_work
from workers.jobs import Context, Scored, Scorer, count_outcome, score_in, verdict_of
from workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]
Deadline = Callable[[int], AbstractContextManager[object]]


@contextlib.contextmanager
def no_deadline(_seconds: int) -> Iterator[None]:
    """A deadline that never comes (for callers that bound time themselves)."""
    yield


@dataclass
class BatchItem:
    """One comment of a batch, and what became of it."""

    comment_id: str
    request_id: str | None = None
    job_id: str | None = None
    timeout: int = JOB_TIMEOUT_SECONDS
    outcome: str | None = None  # a status, "skipped" or "missing", once written
    error: ExcInfo | None = None
    scored: Scored | None = None  # kept should the batch's transaction be given up

    @property
    def done(self) -> bool:
        """Whether the comment's verdict was written or its scoring failed."""
        return self.outcome is not None or self.error is not None


def score_batch(
    rt: WorkerRuntime,
    items: list[BatchItem],
    *,
    deadline: Deadline = no_deadline,
    scorer: Scorer = verdict_of,
    keep_alive: Callable[[], None] = lambda: None,
) -> None:
    """Score ``items`` in order; each ends with an ``outcome`` or an ``error`` of its own.

    ``deadline(seconds)`` bounds the batch (the longest timeout of its items), and each
    item scored alone by its own timeout; ``keep_alive`` runs between items.
    """
    if not items:
        return
    outcomes = _together(rt, items, deadline, scorer, keep_alive)
    if outcomes is None:
        _one_by_one(rt, items, deadline, scorer)
    else:
        for item, outcome in zip(items, outcomes, strict=True):
            item.outcome = outcome
    for item in items:
        _report(item)


def _together(
    rt: WorkerRuntime,
    items: list[BatchItem],
    deadline: Deadline,
    scorer: Scorer,
    keep_alive: Callable[[], None],
) -> list[str] | None:
    """The items' outcomes once the batch committed; None if it was given up."""
    running: BatchItem | None = None
    outcomes: list[str] = []
    ctx = Context.of(rt)
    try:
        with deadline(max(item.timeout for item in items)), _unit(rt) as uow:
            held = load_comments(uow.session, [item.comment_id for item in items])
            ctx.authors.read(uow.session, held)
            # The verdict rows wait for the commit, written together: nothing a later
            # comment's scoring reads is in them (statuses change by UPDATE at once).
            uow.session.autoflush = False
            for running in items:
                with log_context(request_id=running.request_id, job_id=running.job_id):
                    outcome, running.scored = score_in(
                        ctx, uow, running.comment_id, running.request_id, scorer=scorer
                    )
                outcomes.append(outcome)
                keep_alive()
            running = None
    except Exception:
        if running is not None:
            running.error = _exc_info()
            log.warning(
                "comment %s failed in its batch; scoring the others alone", running.comment_id
            )
        else:
            log.exception("a batch of %d comments did not commit; writing them alone", len(items))
        return None
    return outcomes


def _one_by_one(
    rt: WorkerRuntime, items: list[BatchItem], deadline: Deadline, scorer: Scorer
) -> None:
    for item in items:
        if item.error is not None:
            continue
        try:
            with (
                log_context(request_id=item.request_id, job_id=item.job_id),
                deadline(item.timeout),
                _unit(rt) as uow,
            ):
                item.outcome, _ = score_in(
                    Context.of(rt),
                    uow,
                    item.comment_id,
                    item.request_id,
                    scorer=scorer,
                    scored=item.scored,
                )
        except Exception:
            item.error = _exc_info()


@contextlib.contextmanager
def _unit(rt: WorkerRuntime) -> Iterator[UnitOfWork]:
    with unit_of_work(rt.sessions) as uow:
        try:
            yield uow
        except BaseTimeoutException:
            # Stopped mid-statement, its connection may be in any state: drop it.
            uow.session.invalidate()
            raise


def _report(item: BatchItem) -> None:
    with log_context(request_id=item.request_id, job_id=item.job_id):
        if item.error is None:
            count_outcome(item.comment_id, item.outcome or "skipped")
            return
        metrics.JOBS.labels("error").inc()
        log.error("scoring comment %s failed: %s", item.comment_id, item.error[1])


def _exc_info() -> ExcInfo:
    kind, error, trace = sys.exc_info()
    assert kind is not None and error is not None and trace is not None
    return kind, error, trace
