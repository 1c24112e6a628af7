"""Re-queue comments whose scoring job was lost.

A comment can sit in ``received`` because Redis refused the job after the
commit, Redis restarted and forgot it, or its job failed for good. Every
sweep interval one worker (a Redis lock elects it) re-queues such comments,
skipping those whose job is still queued or running.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from rq import Queue
from rq.job import JobStatus

from commentgate.queue import enqueue_moderation, job_id_for
from commentgate.redis_keys import redis_key
from commentgate.storage.comments import stale_received_ids
from commentgate.storage.db import SessionFactory
from commentgate.storage.models import utcnow

log = logging.getLogger(__name__)

_IN_FLIGHT = frozenset(
    {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
)
# A job that failed for good is re-queued this many times by sweeps, then left
# parked in RQ's failed registry for ops, so a poison comment cannot loop.
MAX_SWEEP_RETRIES = 3


def _should_requeue(queue: Queue, comment_id: str) -> bool:
    job = queue.fetch_job(job_id_for(comment_id))
    status = job.get_status(refresh=False) if job else None
    if status in _IN_FLIGHT:
        return False
    if status == JobStatus.FAILED:
        attempts = queue.connection.incr(redis_key("sweep", "retries", comment_id))
        queue.connection.expire(redis_key("sweep", "retries", comment_id), 7 * 24 * 3600)
        return attempts <= MAX_SWEEP_RETRIES
    return True


def sweep_received(sessions: SessionFactory, queue: Queue, older_than: timedelta) -> int:
    """Re-queue comments left in ``received`` for longer than ``older_than``."""
    with sessions() as session:
        stale = stale_received_ids(session, utcnow() - older_than)
    requeued = 0
    for comment_id in stale:
        if _should_requeue(queue, comment_id):
            enqueue_moderation(queue, comment_id)
            requeued += 1
    if requeued:
        log.info("sweep re-queued %d of %d waiting comments", requeued, len(stale))
    return requeued


class Sweeper(threading.Thread):
    """Runs :func:`sweep_received` every ``interval`` seconds in a worker process."""

    def __init__(
        self, sessions: SessionFactory, queue: Queue, older_than: timedelta, interval: float
    ) -> None:
        super().__init__(name="commentgate-sweeper", daemon=True)
        self._sessions, self._queue = sessions, queue
        self._older_than, self._interval = older_than, interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def _elected(self) -> bool:
        lock = redis_key("sweep", "lock")
        ttl = max(1, int(self._interval))
        return bool(self._queue.connection.set(lock, "1", nx=True, ex=ttl))

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            try:
                if self._elected():
                    sweep_received(self._sessions, self._queue, self._older_than)
            except Exception:  # a sweep must never kill the worker; next round retries
                log.exception("sweep failed")
