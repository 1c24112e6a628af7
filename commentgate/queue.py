"""The moderation queue: how comments reach the workers.

Jobs are named by function path so the web process never imports the
(heavier) worker code. A job id is derived from the comment id, so the
sweep can tell whether a comment's job is already waiting.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.queue import EnqueueData

from commentgate.config import Settings
from commentgate.domain import MODERATION_QUEUE
from commentgate.recorded_jobs import JobTemplates, recorded, run_recorded

MODERATE_JOB = "workers.jobs.moderate_comment"
LEARN_JOB = "workers.jobs.learn_from_decisions"
REBUILD_JOB = "workers.jobs.rebuild_model"
# How long a model job may run; the site lock it holds lasts as long (workers/learning.py).
LEARN_TIMEOUT = 300
REBUILD_TIMEOUT = 3600
NOTIFY_JOB = "workers.jobs.notify_site"
REFILL_CAPTCHAS_JOB = "workers.captcha_pool.refill_captchas"
REFILL_CAPTCHAS_ID = "refill-captchas"  # one id: a refill queued twice runs as one job
JOB_TIMEOUT_SECONDS = 60
# A scoring job's meta key: run it in a batch of its own. The sweep sets it on a job it
# resumes after the worker running it died, maybe because of it (workers/sweep.py).
ALONE = "alone"


@dataclass(frozen=True)
class JobPolicy:
    """How long a scoring job may run and how it is retried.

    Transient failures (database blip) are retried after each interval in
    turn; after the last try the job is parked in RQ's failed registry,
    visible to ops.
    """

    timeout: int = JOB_TIMEOUT_SECONDS
    retry_intervals: tuple[int, ...] = (5, 30, 120)

    def retry(self) -> Retry | None:
        """RQ's retry for this policy (None when retries are off)."""
        return _retry(self.retry_intervals)


@cache
def _retry(intervals: tuple[int, ...]) -> Retry | None:
    # One per policy: RQ only reads it, and intake would build one for every comment.
    if not intervals:
        return None
    return Retry(max=len(intervals), interval=list(intervals))


DEFAULT_POLICY = JobPolicy()
_TEMPLATES = JobTemplates()  # the scoring jobs' shapes, learnt in each process
RETRY = DEFAULT_POLICY.retry()


def policy_from(settings: Settings) -> JobPolicy:
    """The job policy the settings ask for."""
    return JobPolicy(settings.job_timeout_seconds, tuple(settings.job_retry_intervals))


def moderation_queue(client: redis.Redis) -> Queue:
    """The queue scoring jobs go to."""
    return Queue(MODERATION_QUEUE, connection=client)


def runs_alone(job: Job) -> bool:
    """Whether a scoring job runs in a batch of its own: marked so (:data:`ALONE`), or its
    last run never ended, the worker dying in it. That holds whoever queued it again: the
    sweep, or RQ's own clean-up of its started registry, which retries a dead worker's
    jobs as they were, all together."""
    if job.meta.get(ALONE):
        return True
    started, ended = job.started_at, job.ended_at
    return started is not None and (ended is None or ended < started)


def job_id_for(comment_id: str) -> str:
    """The RQ job id that scores ``comment_id``."""
    return f"moderate-{comment_id}"


def comment_id_of(job_id: str) -> str | None:
    """The comment a scoring job id names, or None for other jobs."""
    prefix = job_id_for("")
    return job_id[len(prefix) :] if job_id.startswith(prefix) else None


def moderation_job(
    comment_id: str, request_id: str | None, policy: JobPolicy, *, alone: bool = False
) -> EnqueueData:
    """The job that scores ``comment_id``, as RQ's ``enqueue_many`` takes it; ``alone``:
    in a batch of its own (:data:`ALONE`)."""
    meta: dict[str, object] = {"request_id": request_id} if request_id else {}
    if alone:
        meta[ALONE] = True
    return Queue.prepare_data(
        MODERATE_JOB,
        (comment_id,),
        job_id=job_id_for(comment_id),
        timeout=policy.timeout,
        retry=policy.retry(),
        meta=meta,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def enqueue_moderation(
    queue: Queue,
    comment_id: str,
    request_id: str | None = None,
    policy: JobPolicy = DEFAULT_POLICY,
    *,
    alone: bool = False,
) -> None:
    """Queue scoring of a stored comment (one round trip to Redis), written as RQ writes
    it from a recording of RQ's own (:mod:`commentgate.recorded_jobs`)."""
    job = moderation_job(comment_id, request_id, policy, alone=alone)
    run_recorded(queue.connection, _TEMPLATES.commands(queue, job))


def enqueue_in_one_trip(queue: Queue, *jobs: EnqueueData) -> None:
    """Queue ``jobs`` (without dependencies) as RQ's ``enqueue_many`` does, in one script
    call run whole as a MULTI/EXEC is (:mod:`commentgate.recorded_jobs`)."""
    run_recorded(queue.connection, recorded(queue, jobs))


def enqueue_learning(queue: Queue, site_id: str) -> None:
    """Queue a model update for a site, unless one is already waiting.

    One waiting job is enough: it learns every decision logged before it runs. One that is
    running may have read the log already, so another is queued behind it.
    """
    _enqueue_site_job(queue, LEARN_JOB, site_id, "learn", LEARN_TIMEOUT, {JobStatus.QUEUED})


def enqueue_rebuild(queue: Queue, site_id: str) -> None:
    """Queue a rebuild of a site's model from its decision log, unless one is on its way."""
    pending = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
    _enqueue_site_job(queue, REBUILD_JOB, site_id, "rebuild", REBUILD_TIMEOUT, pending)


def _enqueue_site_job(
    queue: Queue, job: str, site_id: str, kind: str, timeout: int, skip_if: set[JobStatus]
) -> None:
    job_id = f"{kind}-{site_id}"
    existing = queue.fetch_job(job_id)
    if existing is not None and existing.get_status(refresh=False) in skip_if:
        return
    queue.enqueue(job, site_id, job_id=job_id, job_timeout=timeout, retry=RETRY, result_ttl=600)


def enqueue_notification(
    queue: Queue, comment_id: str, event: str, request_id: str | None = None
) -> None:
    """Queue a webhook to the comment's site (``comment.approved``/``comment.removed``)."""
    job = Queue.prepare_data(
        NOTIFY_JOB,
        (comment_id, event, request_id),
        timeout=30,
        retry=Retry(max=5, interval=[10, 60, 300, 900, 3600]),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
    enqueue_in_one_trip(queue, job)


def enqueue_captcha_refill(
    queue: Queue, *, at_front: bool = True, next_slice: bool = False
) -> None:
    """Queue drawing captchas into the pool (see :mod:`commentgate.captcha_pool`).

    At the front by default: behind a burst of scoring jobs, the pool would run dry first.
    A ``next_slice`` is queued by the refill job itself, under an id of its own (the
    running job still holds the usual one).
    """
    job = Queue.prepare_data(
        REFILL_CAPTCHAS_JOB,
        job_id=f"{REFILL_CAPTCHAS_ID}-{secrets.token_hex(4)}" if next_slice else REFILL_CAPTCHAS_ID,
        timeout=300,
        result_ttl=60,
        at_front=at_front,
    )
    enqueue_in_one_trip(queue, job)
