"""Re-queue comments whose scoring job was lost.

A comment can sit in ``received`` because Redis refused the job after the
commit, Redis restarted and forgot it, its worker was killed mid-job, or its
job failed for good. Every sweep interval one worker (a Redis lock elects it)
re-queues such comments, skipping those whose job is still queued or running.

A pass looks at a bounded number of waiting comments. Comments parked for good
(their job failed and the sweep's retries are used up) stay ``received``, so a
pass does not always start from the oldest: it goes on where the previous one
stopped and wraps round at the end, and any number of parked comments can only
delay, never hide, a newer comment whose job was lost.

A job counts as running while its worker keeps heartbeating it. A worker
killed with SIGKILL stops doing so; RQ itself notices only after the
heartbeat's TTL (a minute or more) and its next registry maintenance (up to
ten minutes), so the sweep re-queues a started job once its last heartbeat is
older than ``abandoned_after``. Should that job still be alive after all,
running it twice is harmless: the verdict is a conditional UPDATE. A job resumed
``MAX_RESUMES`` times whose worker died once more is failed instead, and from there
retried as a failed job is: a comment that kills every worker running it stops.

Less often (``rebuild_every``), the elected sweep also queues an exact rebuild of every
site model that has learned some comment twice since it was last exact
(:func:`workers.learning.sites_to_rebuild`), and (``retention_every``) applies the
sites' retention periods (:mod:`workers.retention`).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.job_lifecycle import record_job_failure
from rq.registry import ScheduledJobRegistry

from commentgate import metrics
from commentgate.errors import ValidationFailedError
from commentgate.queue import (
    ALONE,
    DEFAULT_POLICY,
    JobPolicy,
    enqueue_moderation,
    enqueue_rebuild,
    job_id_for,
    runs_alone,
)
from commentgate.redis_keys import redis_key
from commentgate.storage.comments import stale_received
from commentgate.storage.db import SessionFactory
from commentgate.storage.models import utcnow
from workers.learning import sites_to_rebuild
from workers.retention import apply_retention

log = logging.getLogger(__name__)

_WAITING = frozenset({JobStatus.DEFERRED})
# Jobs interrupted on their way (not failed): re-queued as they are, so a retry stuck on
# its way does not start the job's retries over.
_RESUMED = frozenset({"stranded", "abandoned"})
# A job that failed for good is re-queued this many times by sweeps, then left
# parked in RQ's failed registry for ops, so a poison comment cannot loop.
MAX_SWEEP_RETRIES = 3
# A job whose worker died running it is resumed this many times, then failed (RQ's
# failed registry, whence the retries above), so a comment that kills every worker
# running it cannot loop either.
MAX_RESUMES = 3
_COUNT_TTL = 7 * 24 * 3600
# How many waiting comments one pass looks at, so a big backlog costs each pass the same.
SWEEP_BATCH = 500
# Where the next pass starts; if Redis forgets it, passes start from the oldest again.
_CURSOR_TTL = 24 * 3600


def sweep_retries_key(comment_id: str) -> str:
    """Where the sweep counts how often it re-queued a comment's failed job."""
    return redis_key("sweep", "retries", comment_id)


def sweep_resumes_key(comment_id: str) -> str:
    """Where the sweep notes each run of a comment's job whose worker died (a set of the
    runs' start times: a pass repeated after an error counts a death once)."""
    return redis_key("sweep", "resumes", comment_id)


def _counted(client, key: str) -> int:
    count = client.incr(key)
    client.expire(key, _COUNT_TTL)
    return count


def _deaths(client, comment_id: str, job: Job) -> int:
    """How many runs of the comment's job its workers died in, this one included."""
    run = (job.started_at or job.last_heartbeat or utcnow()).isoformat()
    key = sweep_resumes_key(comment_id)
    with client.pipeline(transaction=True) as pipe:
        pipe.sadd(key, run).expire(key, _COUNT_TTL).scard(key)
        return pipe.execute()[-1]


def _forget_dead_runs(queue: Queue, job: Job, client) -> None:
    # The run a dead worker left in the started registry goes, or RQ's clean-up would
    # fail the job's next run. Its entries are "<job id>:<run id>": removed by name, since
    # RQ's own removal reads each run's record, which expires before its entry does.
    registry = queue.started_job_registry
    mine = [m for m in queue.connection.zrange(registry.key, 0, -1) if _of_job(m, job.id)]
    if mine:
        client.zrem(registry.key, *mine)


def _of_job(member: bytes | str, job_id: str) -> bool:
    text = member.decode() if isinstance(member, bytes) else member
    return text.startswith(f"{job_id}:")


def _is_abandoned(job: Job, abandoned_after: timedelta | None) -> bool:
    if abandoned_after is None:
        return False
    last_sign = job.last_heartbeat or job.started_at
    return last_sign is None or utcnow() - last_sign.replace(tzinfo=UTC) > abandoned_after


def _is_stranded(queue: Queue, job: Job, overdue_after: timedelta | None) -> bool:
    # A retry waits in the scheduled registry for the worker holding RQ's
    # scheduler lock. If that worker was killed, the lock outlives it by a
    # minute and other workers only try to take it every two minutes, so a
    # retry long overdue is queued directly instead.
    if overdue_after is None:
        return False
    registry = ScheduledJobRegistry(queue.name, connection=queue.connection)
    try:
        due = registry.get_scheduled_time(job)
    except NoSuchJobError:
        # RQ marks a retry scheduled a moment before its registry holds it, and takes it
        # out of the registry when it queues it: "scheduled" and not there is a job on
        # its way, unless a pass long before saw it so too.
        return _seen_stuck_before(queue.connection, job, "unscheduled", overdue_after) and (
            job.get_status(refresh=True) == JobStatus.SCHEDULED
        )
    if utcnow() - due.replace(tzinfo=UTC) <= overdue_after:
        return False
    # Not if the scheduler took it out meanwhile (should it have read it just before,
    # both queue it: one run more, which the verdict's conditional UPDATE absorbs).
    return bool(registry.remove(job))


# How long a pass remembers what it saw: far longer than passes take to come round
# (a key names one stay of one job, so it never speaks of another).
_SEEN_TTL = 24 * 3600


def _seen_stuck_before(client, job: Job, how: str, overdue_after: timedelta) -> bool:
    """Whether a pass at least ``overdue_after`` ago saw ``job`` stuck ``how`` as well.

    A live worker or scheduler holds a job in these in-between states for a moment only,
    so a first sighting is only noted.
    """
    stay = job.enqueued_at.timestamp() if job.enqueued_at else ""
    key = redis_key("sweep", how, job.id, str(stay), str(job.retries_left))
    seen_now = utcnow().timestamp()
    if client.set(key, seen_now, nx=True, ex=_SEEN_TTL):
        return False
    first_seen = client.get(key)
    if first_seen is None or seen_now - float(first_seen) < overdue_after.total_seconds():
        return False
    client.delete(key)
    return True


def _is_misplaced(queue: Queue, job: Job, overdue_after: timedelta | None) -> bool:
    # A worker taking a job moves it to RQ's intermediate list, then marks it
    # started. One killed in between leaves it "queued" yet in no queue, until
    # RQ's own clean-up (every ten minutes).
    if overdue_after is None or job.enqueued_at is None:
        return False
    if utcnow() - job.enqueued_at.replace(tzinfo=UTC) <= overdue_after:
        return False
    client = queue.connection
    if client.lpos(queue.key, job.id) is not None:
        return False
    if not _seen_stuck_before(client, job, "misplaced", overdue_after):
        return False
    if job.get_status(refresh=True) != JobStatus.QUEUED:
        return False
    client.lrem(queue.intermediate_queue.key, 0, job.id)
    return True


def _requeue_reason(
    queue: Queue, comment_id: str, job: Job | None, abandoned_after: timedelta | None
) -> str | None:
    status = job.get_status(refresh=False) if job else None
    if job is None or status is None:
        return "lost"
    if status in _WAITING:
        return None
    if status == JobStatus.QUEUED:
        return "stranded" if _is_misplaced(queue, job, abandoned_after) else None
    if status == JobStatus.SCHEDULED:
        return "stranded" if _is_stranded(queue, job, abandoned_after) else None
    if status == JobStatus.STARTED:
        if not _is_abandoned(job, abandoned_after):
            return None
        deaths = _deaths(queue.connection, comment_id, job)
        return "abandoned" if deaths <= MAX_RESUMES else "crashing"
    if status == JobStatus.FAILED:
        attempts = _counted(queue.connection, sweep_retries_key(comment_id))
        return "failed" if attempts <= MAX_SWEEP_RETRIES else None
    return "lost"  # finished, stopped or canceled, yet the comment still waits


def _cursor_key() -> str:
    return redis_key("sweep", "cursor")


def _stale_page(
    sessions: SessionFactory, before: datetime, cursor: str | None, batch: int
) -> tuple[list[str], str | None]:
    """Up to ``batch`` waiting comments from ``cursor`` on, going round to the oldest
    when the end comes first; and where the next pass starts (None: the oldest)."""
    with sessions() as session:
        try:
            page = stale_received(session, before, cursor=cursor, limit=batch)
        except ValidationFailedError:  # not a cursor of this order: start again
            cursor, page = None, stale_received(session, before, limit=batch)
        ids = [c.id for c in page.items]
        room = batch - len(ids)
        if page.next_cursor is not None or cursor is None or room == 0:
            return ids, page.next_cursor
        wrapped = stale_received(session, before, limit=room)
    seen = set(ids)
    return ids + [c.id for c in wrapped.items if c.id not in seen], wrapped.next_cursor


def _next_batch(sessions: SessionFactory, client, before: datetime, batch: int) -> list[str]:
    raw = client.get(_cursor_key())
    cursor = raw.decode() if isinstance(raw, bytes) else raw
    ids, resume = _stale_page(sessions, before, cursor, batch)
    if resume is None:
        client.delete(_cursor_key())
    else:
        client.set(_cursor_key(), resume, ex=_CURSOR_TTL)
    return ids


def _requeue(
    queue: Queue, comment_id: str, job: Job | None, reason: str, policy: JobPolicy
) -> None:
    if job is not None and reason in _RESUMED:
        # As it was: its retries left and request id go along. A job its worker died
        # running runs alone from now on: the death may be its own, and then it takes no
        # batch of other comments down with it again.
        if reason == "abandoned":
            job.meta[ALONE] = True
        _forget_dead_runs(queue, job, queue.connection)
        queue.enqueue_job(job)
        return
    # A new job, with the retries of a first run; the intake's request id goes along, so
    # the comment stays traceable, and so does running alone (a new job has no past runs).
    request_id = job.meta.get("request_id") if job else None
    alone = job is not None and runs_alone(job)
    enqueue_moderation(queue, comment_id, request_id, policy, alone=alone)


def _fail_abandoned(queue: Queue, job: Job) -> None:
    # RQ's own path for a failure no worker is left to record, as its clean-up of the
    # started registry takes; the failed registry shows it and ``requeue-failed`` re-runs it.
    job.meta[ALONE] = True  # saved with the failure: an operator's requeue runs it alone too
    with queue.connection.pipeline(transaction=True) as pipe:
        _forget_dead_runs(queue, job, pipe)
        record_job_failure(job, f"its worker died running it {MAX_RESUMES + 1} times", pipe)
        pipe.execute()


def sweep_received(
    sessions: SessionFactory,
    queue: Queue,
    older_than: timedelta,
    *,
    abandoned_after: timedelta | None = None,
    policy: JobPolicy = DEFAULT_POLICY,
    batch: int = SWEEP_BATCH,
) -> int:
    """Re-queue comments left in ``received`` for longer than ``older_than``.

    Looks at up to ``batch`` of them, from where the previous pass stopped.
    """
    stale = _next_batch(sessions, queue.connection, utcnow() - older_than, batch)
    requeued = 0
    for comment_id in stale:
        job = queue.fetch_job(job_id_for(comment_id))
        reason = _requeue_reason(queue, comment_id, job, abandoned_after)
        if reason == "crashing" and job is not None:
            _fail_abandoned(queue, job)
            log.warning("comment %s: its worker died running it again; job failed", comment_id)
        elif reason is not None:
            _requeue(queue, comment_id, job, reason, policy)
            metrics.SWEEP_REQUEUED.labels(reason).inc()
            log.info("sweep re-queued comment %s (%s)", comment_id, reason)
            requeued += 1
    if requeued:
        log.info("sweep re-queued %d of %d waiting comments", requeued, len(stale))
    return requeued


def queue_rebuilds(sessions: SessionFactory, queue: Queue) -> list[str]:
    """Queue a rebuild for each site whose model a rebuild would change; returns them."""
    sites = sites_to_rebuild(sessions)
    for site_id in sites:
        enqueue_rebuild(queue, site_id)
        log.info("sweep queued a rebuild of the model of site %s", site_id)
    return sites


def _turn(what: str) -> str:
    return redis_key("sweep", what)


class Sweeper(threading.Thread):
    """Runs :func:`sweep_received` every ``interval`` seconds in a worker process,
    :func:`queue_rebuilds` every ``rebuild_every`` seconds and
    :func:`workers.retention.apply_retention` every ``retention_every`` seconds (0: never)."""

    def __init__(
        self,
        sessions: SessionFactory,
        queue: Queue,
        older_than: timedelta,
        interval: float,
        *,
        abandoned_after: timedelta | None = None,
        policy: JobPolicy = DEFAULT_POLICY,
        rebuild_every: float = 0,
        retention_every: float = 0,
        ip_retention_days: int = 30,
    ) -> None:
        super().__init__(name="commentgate-sweeper", daemon=True)
        self._sessions, self._queue = sessions, queue
        self._older_than, self._interval = older_than, interval
        self._abandoned_after, self._policy = abandoned_after, policy
        self._rebuild_every, self._retention_every = rebuild_every, retention_every
        self._ip_days = ip_retention_days
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def _elected(self, what: str, seconds: float) -> bool:
        # One process per period across all workers: the first to set the key.
        return bool(self._queue.connection.set(_turn(what), "1", nx=True, ex=max(1, int(seconds))))

    def _queue_rebuilds(self) -> None:
        if self._rebuild_every <= 0 or not self._elected("rebuild", self._rebuild_every):
            return
        try:
            queue_rebuilds(self._sessions, self._queue)
        except Exception:
            # Give the turn back, so the next sweep tries again instead of the next hour.
            self._queue.connection.delete(_turn("rebuild"))
            raise

    def _apply_retention(self) -> None:
        if self._retention_every <= 0 or not self._elected("retention", self._retention_every):
            return
        try:
            done = apply_retention(self._sessions, ip_days=self._ip_days)
        except Exception:
            self._queue.connection.delete(_turn("retention"))
            raise
        if not done.finished:  # a backlog: the next sweep goes on with it
            self._queue.connection.delete(_turn("retention"))

    def _sweep_received(self) -> None:
        if self._elected("lock", self._interval):
            sweep_received(
                self._sessions,
                self._queue,
                self._older_than,
                abandoned_after=self._abandoned_after,
                policy=self._policy,
            )

    def run(self) -> None:
        steps = (self._sweep_received, self._queue_rebuilds, self._apply_retention)
        while not self._stop_event.wait(self._interval):
            for step in steps:  # one failing must not keep the others from their turn
                try:
                    step()
                except Exception:  # a sweep must never kill the worker; next round retries
                    log.exception("sweep failed (%s)", step.__name__.lstrip("_"))
