"""Jobs written from a template write exactly what RQ's own enqueue writes."""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rq import Queue, Retry, SimpleWorker
from rq.job import Job
from rq.utils import utcformat

from commentgate import recorded_jobs
from commentgate.queue import JobPolicy, job_id_for, moderation_job, moderation_queue
from commentgate.recorded_jobs import JobTemplates, comparable, recorded, rq_moment, run_recorded

# Comment ids as new_id makes them, and anything else a job id may hold.
IDS = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1)
REQUEST_IDS = st.none() | st.text(max_size=80)
POLICIES = st.sampled_from([JobPolicy(), JobPolicy(30, ()), JobPolicy(60, (1, 2))])
MOMENTS = ("created_at", "enqueued_at")


def without_moments(commands: list[list]) -> list[list]:
    """The commands with the two moments blanked (RQ reads its clock for each), and the
    job's data decompressed (a template compresses it with a smaller window)."""
    out = []
    for command in comparable(commands):
        command = list(command)
        for i in range(2, len(command) - 1, 2):
            if command[0] == "HSET" and command[i] in MOMENTS:
                command[i + 1] = "<moment>"
        out.append(command)
    return out


def learnt(queue: Queue, policy: JobPolicy, request_id: str | None, alone: bool) -> JobTemplates:
    templates = JobTemplates()
    templates.commands(
        queue, moderation_job("first", "r" if request_id else None, policy, alone=alone)
    )
    return templates


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(comment_id=IDS, request_id=REQUEST_IDS, policy=POLICIES, alone=st.booleans())
def test_a_templates_commands_are_rqs_own(redis_client, comment_id, request_id, policy, alone):
    queue = moderation_queue(redis_client)
    templates = learnt(queue, policy, request_id, alone)
    job = moderation_job(comment_id, request_id, policy, alone=alone)
    ours = templates.commands(queue, job)
    assert without_moments(ours) == without_moments(recorded(queue, [job]))
    assert len(templates._learnt) == 1 and None not in templates._learnt.values()


def test_each_moment_is_the_clock_when_written(redis_client, monkeypatch):
    queue = moderation_queue(redis_client)
    templates = learnt(queue, JobPolicy(), "r", False)
    for clock in (datetime(2026, 12, 7, 9, 1, 2, 345678, UTC), datetime(2027, 1, 1, tzinfo=UTC)):
        monkeypatch.setattr(recorded_jobs, "now", lambda clock=clock: clock)
        written = templates.commands(queue, moderation_job("a", "r", JobPolicy()))
        fields = {c[i]: c[i + 1] for c in written if c[0] == "HSET" for i in range(2, len(c), 2)}
        assert fields["created_at"] == fields["enqueued_at"] == utcformat(clock)


@given(st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(UTC)))
def test_a_moment_is_written_as_rq_writes_it(moment):
    assert rq_moment(moment) == utcformat(moment)


def test_a_templates_data_is_rqs_once_decompressed(redis_client):
    queue = moderation_queue(redis_client)
    templates = learnt(queue, JobPolicy(), "r", False)
    job = moderation_job("c1", "r", JobPolicy())
    (ours,) = [c for c in templates.commands(queue, job) if "data" in c]
    (theirs,) = [c for c in recorded(queue, [job]) if "data" in c]
    ours_data, theirs_data = (c[c.index("data") + 1] for c in (ours, theirs))
    assert ours_data != theirs_data and zlib.decompress(ours_data) == zlib.decompress(theirs_data)
    assert len(ours_data) <= len(theirs_data)


def test_a_job_written_from_a_template_is_run_by_rq(redis_client):
    queue = moderation_queue(redis_client)
    templates = JobTemplates()
    meta = {"request_id": "req-9"}
    job = Queue.prepare_data("builtins.len", ("abc",), job_id="templated-1", meta=meta)
    templates.commands(queue, job._replace(job_id="first", args=("x",)))
    assert [t is not None for t in templates._learnt.values()] == [True]
    run_recorded(redis_client, templates.commands(queue, job))
    fetched = Job.fetch("templated-1", connection=redis_client)
    assert fetched.args == ("abc",) and fetched.meta == {"request_id": "req-9"}
    assert fetched.enqueued_at is not None and fetched.created_at is not None
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    assert Job.fetch("templated-1", connection=redis_client).return_value() == 3


class TaggedJob(Job):
    """A job class that writes its id into one more field, as a newer RQ might."""

    def to_dict(self, *args, **kwargs) -> dict:
        obj = super().to_dict(*args, **kwargs)
        obj["tag"] = self.id.upper()
        return obj


def test_a_recording_with_the_id_in_an_unknown_place_is_no_template(redis_client, caplog):
    queue = Queue("moderation", connection=redis_client, job_class=TaggedJob)
    templates = JobTemplates()
    with caplog.at_level(logging.WARNING, "commentgate.recorded_jobs"):
        for n in range(3):
            job = moderation_job(f"c{n}", None, JobPolicy())
            ours, theirs = templates.commands(queue, job), recorded(queue, [job])
            assert without_moments(ours) == without_moments(theirs)
    assert list(templates._learnt.values()) == [None]
    assert [r.event for r in caplog.records] == ["job_template_refused"]


def test_jobs_a_template_cannot_write_are_recorded_by_rq(redis_client):
    queue = moderation_queue(redis_client)
    templates = JobTemplates()
    kinds = [
        Queue.prepare_data("builtins.len", ("x",), job_id="with-kwargs", kwargs={"a": 1}),
        Queue.prepare_data("builtins.len", (1,), job_id="int-arg"),
        Queue.prepare_data("builtins.len", ("x",), job_id="described", description="d"),
        Queue.prepare_data("builtins.len", ("x",)),  # no id of its own: RQ draws one
    ]
    for job in kinds:
        templates.commands(queue, job)
    assert templates._learnt == {}


def test_a_queue_of_another_key_or_one_that_runs_jobs_at_once_is_another_shape(redis_client):
    templates = JobTemplates()
    job = Queue.prepare_data("builtins.len", ("x",), job_id="k")
    for queue in (
        Queue("moderation", connection=redis_client),
        Queue("moderation", connection=redis_client, job_class=TaggedJob),
        Queue("other", connection=redis_client),
    ):
        templates.commands(queue, job)
    assert len(templates._learnt) == 3
    templates.commands(Queue("moderation", connection=redis_client, is_async=False), job)
    assert len(templates._learnt) == 3  # a queue that runs its jobs at once has no template


def test_a_bad_job_id_is_refused_as_rq_refuses_it(redis_client):
    queue = moderation_queue(redis_client)
    templates = learnt(queue, JobPolicy(), None, False)
    with pytest.raises(ValueError, match="Job ID"):
        templates.commands(queue, moderation_job("no spaces", None, JobPolicy()))


def test_a_retry_of_another_policy_is_another_shape(redis_client):
    queue = moderation_queue(redis_client)
    templates = JobTemplates()
    for policy in (JobPolicy(), JobPolicy(60, (1,)), JobPolicy()):
        templates.commands(queue, moderation_job(job_id_for("x"), None, policy))
    assert len(templates._learnt) == 2
    retry = Retry(max=1, interval=[1])
    job = Queue.prepare_data("builtins.len", ("x",), job_id="r", retry=retry)
    assert without_moments(learnt_for(queue, job).commands(queue, job)) == without_moments(
        recorded(queue, [job])
    )


def learnt_for(queue: Queue, job) -> JobTemplates:
    templates = JobTemplates()
    templates.commands(queue, job._replace(job_id=job.job_id + "-first"))
    return templates
