"""The RQ worker ``commentgate worker`` runs: it forks a work-horse per job, with the
spam model the job needs already loaded.

A work-horse is a copy of the worker process that exits after its one job, so whatever
it loads dies with it. Reading and unpacking a model (megabytes, about 0.1 s) in every
work-horse cost more than scoring the comment many times over. Loaded in the parent
before the fork, it is inherited instead (copy-on-write: the arrays are only read).
"""

from __future__ import annotations

import logging

from rq import Queue, Worker
from rq.job import Job
from sqlalchemy.exc import SQLAlchemyError

from commentgate.queue import MODERATE_JOB
from commentgate.storage.comments import find_site_id
from workers import runtime
from workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)


class ScoringWorker(Worker):
    """An RQ worker that loads the model of a scoring job's site before forking."""

    def execute_job(self, job: Job, queue: Queue) -> None:
        preload_model(runtime.current(), job)
        super().execute_job(job, queue)


def preload_model(rt: WorkerRuntime, job: Job) -> None:
    """Load the current model of the site a scoring job's comment belongs to.

    Only an optimisation: on a database error the work-horse loads the model itself.
    """
    if job.func_name != MODERATE_JOB or not job.args:
        return
    try:
        with rt.sessions() as session:
            site_id = find_site_id(session, job.args[0])
            rt.models.current(session, site_id)
    except SQLAlchemyError as exc:
        log.warning("model not preloaded for job %s (%s)", job.id, exc)
