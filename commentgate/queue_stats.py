"""What the queues and workers look like right now, read from Redis.

Shared by ``/metrics`` (as gauges) and ``commentgate status`` (as text).
Reads only: counting never triggers RQ's registry clean-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)


@dataclass(frozen=True)
class QueueSnapshot:
    """Job counts of one queue by state, and the age of its oldest waiting job."""

    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    failed: int
    oldest_queued_seconds: float

    def counts(self) -> dict[str, int]:
        """State name → job count."""
        return {
            "queued": self.queued,
            "started": self.started,
            "scheduled": self.scheduled,
            "deferred": self.deferred,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class WorkerSnapshot:
    """One registered worker."""

    name: str
    state: str
    current_job: str | None
    last_heartbeat: datetime | None


def _age(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return 0.0
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0.0, (now - moment).total_seconds())


def oldest_queued_age(queue: Queue, now: datetime) -> float:
    """Seconds the job at the head of ``queue`` has waited (0 when empty)."""
    for job in Job.fetch_many(queue.get_job_ids(0, 5), connection=queue.connection):
        if job is not None:  # None: the id outlived its job's data
            return _age(job.enqueued_at, now)
    return 0.0


def snapshot_queue(queue: Queue, now: datetime | None = None) -> QueueSnapshot:
    """Counts and head age of ``queue``."""
    now = now or datetime.now(UTC)
    conn, name = queue.connection, queue.name
    return QueueSnapshot(
        name=name,
        queued=queue.count,
        started=StartedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
        scheduled=ScheduledJobRegistry(name, connection=conn).get_job_count(cleanup=False),
        deferred=DeferredJobRegistry(name, connection=conn).get_job_count(cleanup=False),
        failed=FailedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
        oldest_queued_seconds=oldest_queued_age(queue, now),
    )


def snapshot_workers(connection: redis.Redis) -> list[WorkerSnapshot]:
    """Workers whose registration has not expired (they heartbeat while alive)."""
    snapshots = []
    for worker in Worker.all(connection=connection):
        job_id = worker.get_current_job_id()
        snapshots.append(
            WorkerSnapshot(worker.name, str(worker.get_state()), job_id, worker.last_heartbeat)
        )
    return sorted(snapshots, key=lambda w: w.name)


def failed_jobs(queue: Queue, limit: int = 20) -> list[Job]:
    """The most recently failed jobs of ``queue``, newest first."""
    registry = FailedJobRegistry(queue.name, connection=queue.connection)
    ids = registry.get_job_ids(cleanup=False)[-limit:]
    jobs = Job.fetch_many(list(reversed(ids)), connection=queue.connection)
    return [job for job in jobs if job is not None]
