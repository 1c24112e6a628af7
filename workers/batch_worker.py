"""The RQ worker ``commentgate worker`` runs: scoring jobs in batches, in its own process.

A scoring job costs a millisecond or two of work; forked into a work-horse and booked by RQ
one job at a time, it cost sixty times that. This worker takes the scoring job RQ hands it
and up to ``batch_size - 1`` more waiting behind it, books them as started in one Redis
round trip, scores them in one transaction (:mod:`workers.batch`) in this long-lived
process (model, caches, prepared statements and connections stay warm), and books their
ends in one more. Every job keeps its RQ life: its id, StartedJobRegistry membership and
heartbeat while it runs (so the sweep leaves it alone), its timeout, and on failure RQ's
own path: a retry after the next back-off interval, then the failed registry.

Webhook jobs (one per approval) and captcha refills (a quarter of a second of drawing)
run in this process too, one at a time as RQ's SimpleWorker runs them; model jobs
(learning, rebuilds) are rare, long and memory-hungry, and run in a forked work-horse as
with RQ's own worker. Isolation from a scoring job that crashes the process comes from the
supervisor (:mod:`workers.supervisor`), which replaces a dead worker; the sweep re-queues
its jobs, each to run in a batch of its own from then on
(:func:`commentgate.queue.runs_alone`): such a job
is never taken into another's batch, but put back at the front of the queue for a later
dequeue to run by itself.
"""

from __future__ import annotations

import logging
import time

from rq import Queue, Worker
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.job_lifecycle import format_exc_info
from rq.timeouts import JobTimeoutException
from rq.utils import as_text, now
from rq.worker import WorkerStatus

from commentgate.queue import MODERATE_JOB, NOTIFY_JOB, REFILL_CAPTCHAS_JOB, runs_alone
from workers import runtime
from workers.batch import BatchItem, score_batch
from workers.deadline import InsistentDeathPenalty
from workers.jobs import Scorer, verdict_of

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Each job still in the taken list (KEYS[1]) moves to the front of the queue (KEYS[2]).
_PUT_BACK = """
for _, id in ipairs(ARGV) do
  if redis.call('lrem', KEYS[1], 1, id) == 1 then redis.call('lpush', KEYS[2], id) end
end
"""
IN_PROCESS = frozenset({NOTIFY_JOB, REFILL_CAPTCHAS_JOB})  # jobs run without a fork


class BatchWorker(Worker):
    """An RQ worker that scores waiting comments in batches; other jobs fork as usual."""

    death_penalty_class = InsistentDeathPenalty

    def __init__(
        self, *args, batch_size: int = BATCH_SIZE, scorer: Scorer = verdict_of, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.batch_size = max(1, batch_size)
        self._scorer = scorer  # tests give their own (a comment that hangs, one that raises)
        self._beat_at = 0.0

    def execute_job(self, job: Job, queue: Queue) -> None:
        if not _is_scoring(job):
            self._run_one(job, queue)
            return
        if runs_alone(job):  # should it kill this process again, it takes no other job along
            self._run_batch([job], queue)
            return
        jobs = [job, *self._take_more(queue, job)]
        self._run_batch([j for j in jobs if _is_scoring(j)], queue)
        for other in (j for j in jobs if not _is_scoring(j)):
            self._run_one(other, queue)

    def _run_one(self, job: Job, queue: Queue) -> None:
        """A webhook or a captcha refill in this process, as RQ's SimpleWorker runs a job
        (they are frequent and short: a fork each would cost more than the batch);
        anything else in a forked work-horse."""
        if job.func_name not in IN_PROCESS:
            super().execute_job(job, queue)
            return
        execution = self.prepare_execution(job)
        self.perform_job(job, queue, execution)
        self.set_state(WorkerStatus.IDLE)

    def _take_more(self, queue: Queue, first: Job) -> list[Job]:
        """Up to ``batch_size - 1`` more jobs, moved to RQ's intermediate list as
        ``dequeue_any`` moves one (a worker killed now leaves them for RQ and the sweep)."""
        if self.batch_size == 1:
            return []
        with self.connection.pipeline() as pipe:
            for _ in range(self.batch_size - 1):
                pipe.lmove(queue.key, queue.intermediate_queue_key)
            ids = [as_text(raw) for raw in pipe.execute() if raw is not None]
        if not ids:
            return []
        jobs = self.job_class.fetch_many(
            ids, connection=self.connection, serializer=self.serializer
        )
        taken, seen, alone = [], {first.id}, []
        for job_id, job in zip(ids, jobs, strict=True):
            if job is None or job_id in seen:
                # Deleted while it waited (dequeue_any skips those too), or queued twice.
                self.connection.lrem(queue.intermediate_queue_key, 1, job_id)
                continue
            seen.add(job_id)
            (alone if _is_scoring(job) and runs_alone(job) else taken).append(job)
        if alone:
            self._put_back(queue, alone)
        return taken

    def _put_back(self, queue: Queue, jobs: list[Job]) -> None:
        """Jobs to run alone go back to the front of the queue, in their order: each is the
        first job of a later dequeue, run by itself (a job held taken but not started while
        a batch runs would look misplaced to the sweep). Only those still taken go back:
        RQ's own upkeep of the taken list may have moved one on meanwhile."""
        ids = [job.id for job in reversed(jobs)]
        self.connection.eval(_PUT_BACK, 2, queue.intermediate_queue_key, queue.key, *ids)

    def _run_batch(self, jobs: list[Job], queue: Queue) -> None:
        executions = self._start(jobs, queue)
        items = [_item_of(job) for job in jobs]
        score_batch(
            runtime.current(),
            items,
            deadline=self._deadline,
            scorer=self._scorer,
            keep_alive=lambda: self._keep_alive(jobs, executions),
        )
        self._finish(jobs, items, executions, queue)
        self.set_state(WorkerStatus.IDLE)

    def _deadline(self, seconds: int):
        return self.death_penalty_class(seconds, JobTimeoutException)

    def _start(self, jobs: list[Job], queue: Queue) -> list[Execution]:
        """Book the jobs as started, as RQ's prepare_execution and
        prepare_job_execution do for one, in one round trip."""
        executions = []
        with self.connection.pipeline() as pipe:
            for job in jobs:
                ttl = self.get_heartbeat_ttl(job)
                execution = Execution.create(job, ttl, pipeline=pipe, worker_name=self.name)
                self.executions[execution.id] = execution
                executions.append(execution)
                job.heartbeat(now(), ttl, pipeline=pipe)
                job.prepare_for_execution(self.name, pipeline=pipe)
                pipe.persist(job.key)
                pipe.lrem(queue.intermediate_queue_key, 1, job.id)
            self.set_state(WorkerStatus.BUSY, pipeline=pipe)
            self.heartbeat(max(self.get_heartbeat_ttl(job) for job in jobs), pipeline=pipe)
            pipe.execute()
        self._beat_at = time.monotonic()
        return executions

    def _keep_alive(self, jobs: list[Job], executions: list[Execution]) -> None:
        """Heartbeat the batch's jobs, as RQ does for a job while its work-horse runs."""
        if time.monotonic() - self._beat_at < self.job_monitoring_interval:
            return
        with self.connection.pipeline() as pipe:
            ttl = self.job_monitoring_interval + 60
            self.heartbeat(ttl, pipeline=pipe)
            for job, execution in zip(jobs, executions, strict=True):
                execution.heartbeat(job.started_job_registry, ttl, pipeline=pipe)
                job.heartbeat(now(), ttl, pipeline=pipe, xx=True)
            pipe.execute()
        self._beat_at = time.monotonic()

    def _finish(
        self, jobs: list[Job], items: list[BatchItem], executions: list[Execution], queue: Queue
    ) -> None:
        """Book the jobs' ends: the successes in one round trip, as RQ's handle_job_success
        does for one (scoring jobs have no dependents to release); each failure through
        RQ's own handle_job_failure (retry with back-off, or the failed registry)."""
        ended = now()
        with self.connection.pipeline() as pipe:
            for job, item, execution in zip(jobs, items, executions, strict=True):
                if item.error is not None:
                    continue
                job.ended_at, job._result, job._status = ended, item.outcome, JobStatus.FINISHED
                result_ttl = job.get_result_ttl(self.default_result_ttl)
                if result_ttl != 0:
                    job._handle_success(
                        result_ttl,
                        pipeline=pipe,
                        worker_name=self.name,
                        execution_id=execution.id,
                        execution_started_at=execution.created_at,
                        execution_ended_at=ended,
                    )
                job.cleanup(result_ttl, pipeline=pipe, remove_from_queue=False)
                self.cleanup_execution(job, pipeline=pipe, execution=execution)
                self.increment_successful_job_count(pipeline=pipe)
                self.increment_total_working_time(ended - job.started_at, pipe)
            pipe.execute()
        for job, item, execution in zip(jobs, items, executions, strict=True):
            if item.error is not None:
                self._fail(job, item, execution, queue)

    def _fail(self, job: Job, item: BatchItem, execution: Execution, queue: Queue) -> None:
        assert item.error is not None
        job._status, job.ended_at = JobStatus.FAILED, now()
        self.handle_exception(job, *item.error)
        self.handle_job_failure(
            job,
            queue,
            started_job_registry=queue.started_job_registry,
            exc_string=format_exc_info(item.error),
            execution=execution,
        )


def _is_scoring(job: Job) -> bool:
    return job.func_name == MODERATE_JOB and len(job.args) == 1


def _item_of(job: Job) -> BatchItem:
    return BatchItem(
        comment_id=job.args[0],
        request_id=job.meta.get("request_id"),
        job_id=job.id,
        timeout=int(job.timeout or Queue.DEFAULT_TIMEOUT),
    )
