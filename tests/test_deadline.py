"""A job's timeout is raised again when Python dropped it the first time."""

from __future__ import annotations

import contextlib
import signal
import time

import pytest
from rq.timeouts import JobTimeoutException

from workers.batch_worker import BatchWorker
from workers.deadline import InsistentDeathPenalty


def test_a_timeout_dropped_once_is_raised_again():
    with pytest.raises(JobTimeoutException), InsistentDeathPenalty(1, JobTimeoutException):
        with contextlib.suppress(JobTimeoutException):
            time.sleep(10)  # dropped, as Python drops one raised inside a weakref callback
        time.sleep(10)  # without the repeat, this would run to its end and nothing raise
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing rings afterwards


def test_a_block_left_in_time_leaves_no_alarm_behind():
    with InsistentDeathPenalty(1, JobTimeoutException):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_no_timeout_sets_no_alarm():
    handler = signal.getsignal(signal.SIGALRM)
    with InsistentDeathPenalty(-1, JobTimeoutException):
        assert signal.getsignal(signal.SIGALRM) is handler


def test_the_worker_stops_its_jobs_with_it():
    assert BatchWorker.death_penalty_class is InsistentDeathPenalty
