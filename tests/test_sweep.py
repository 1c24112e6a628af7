"""The sweep re-queues comments whose job was lost, and only those."""

from datetime import timedelta

import redis
from rq import Queue
from rq.executions import Execution

from commentgate.queue import ALONE, job_id_for
from commentgate.redis_keys import redis_key
from commentgate.storage.models import Comment
from tests.conftest import replace_services
from tests.helpers import submit_ok
from tests.services import free_port, wait_for
from workers.sweep import (
    MAX_RESUMES,
    MAX_SWEEP_RETRIES,
    Sweeper,
    sweep_received,
    sweep_retries_key,
)

NOW = timedelta(0)


def status_of(sessions, comment_id):
    with sessions() as session:
        return session.get(Comment, comment_id).status


def test_comment_whose_enqueue_failed_is_recovered(client, app, sessions, redis_client, worker):
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    replace_services(app, queue=Queue("moderation", connection=dead))
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    assert queue.count == 0
    assert sweep_received(sessions, queue, older_than=timedelta(minutes=1)) == 0  # too recent
    assert sweep_received(sessions, queue, older_than=NOW) == 1
    worker()
    assert status_of(sessions, comment_id) == "pending"


def test_queued_jobs_are_not_queued_twice(client, app, sessions, redis_client):
    submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    assert sweep_received(sessions, queue, older_than=NOW) == 0
    assert queue.count == 1


def fail_job(queue, comment_id) -> None:
    job = queue.fetch_job(job_id_for(comment_id))
    queue.remove(job)
    job.set_status("failed")


def test_failed_jobs_are_retried_a_bounded_number_of_times(client, app, sessions, redis_client):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    requeued = []
    for _ in range(MAX_SWEEP_RETRIES + 2):
        fail_job(queue, comment_id)
        requeued.append(sweep_received(sessions, queue, older_than=NOW))
    assert requeued == [1] * MAX_SWEEP_RETRIES + [0, 0]


def forget_job(queue, comment_id) -> None:
    """What a Redis that lost its data does to a comment's job."""
    queue.fetch_job(job_id_for(comment_id)).delete()


def park(queue, comment_id) -> None:
    """Leave a comment's job failed with every sweep retry used up."""
    fail_job(queue, comment_id)
    queue.connection.set(sweep_retries_key(comment_id), MAX_SWEEP_RETRIES)


def test_parked_comments_cannot_hide_a_newer_lost_one(client, app, sessions, redis_client):
    queue = Queue("moderation", connection=redis_client)
    batch = 5
    for _ in range(batch):
        park(queue, submit_ok(client, app))
    lost = submit_ok(client, app)
    forget_job(queue, lost)
    passes = [sweep_received(sessions, queue, NOW, batch=batch) for _ in range(2)]
    assert passes == [0, 1]  # the oldest batch was all parked; the next pass went on
    assert queue.get_job_ids() == [job_id_for(lost)]


def test_a_pass_that_reaches_the_end_goes_round_to_the_oldest(client, app, sessions, redis_client):
    queue = Queue("moderation", connection=redis_client)
    ids = [submit_ok(client, app) for _ in range(3)]
    for comment_id in ids:
        forget_job(queue, comment_id)
    assert sweep_received(sessions, queue, NOW, batch=2) == 2  # the two oldest
    for comment_id in ids[:2]:
        forget_job(queue, comment_id)
    # The newest, then round to the oldest, within one pass's bound.
    assert sweep_received(sessions, queue, NOW, batch=2) == 2
    assert set(queue.get_job_ids()) == {job_id_for(ids[2]), job_id_for(ids[0])}


def test_sweep_ignores_scored_comments(client, app, sessions, redis_client, worker):
    submit_ok(client, app)
    worker()
    assert sweep_received(sessions, Queue("moderation", connection=redis_client), NOW) == 0


def start_job(queue, comment_id, heartbeat_age: timedelta):
    """Mark a comment's job started, last heard of ``heartbeat_age`` ago."""
    from commentgate.storage.models import utcnow

    job = queue.fetch_job(job_id_for(comment_id))
    queue.remove(job)
    job.set_status("started")
    job.heartbeat(utcnow() - heartbeat_age, 60)


def test_started_job_with_a_silent_worker_is_requeued(client, app, sessions, redis_client):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    start_job(queue, comment_id, heartbeat_age=timedelta(seconds=1))
    after = timedelta(seconds=30)
    assert sweep_received(sessions, queue, NOW, abandoned_after=after) == 0  # still alive
    start_job(queue, comment_id, heartbeat_age=timedelta(minutes=2))
    assert sweep_received(sessions, queue, NOW, abandoned_after=after) == 1
    assert queue.fetch_job(job_id_for(comment_id)).get_status() == "queued"


def schedule_retry(queue, comment_id, due_in: timedelta, retries_left: int = 1):
    """Leave a comment's job waiting in the scheduled registry, as RQ's retry does."""
    from datetime import UTC, datetime

    from rq.registry import ScheduledJobRegistry

    job = queue.fetch_job(job_id_for(comment_id))
    queue.remove(job)
    job.retries_left = retries_left
    job.save()
    job.set_status("scheduled")
    registry = ScheduledJobRegistry(queue.name, connection=queue.connection)
    registry.schedule(job, datetime.now(UTC) + due_in)
    return registry


def test_overdue_retry_is_queued_when_no_scheduler_runs(client, app, sessions, redis_client):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    registry = schedule_retry(queue, comment_id, timedelta(seconds=5))
    after = timedelta(seconds=30)
    assert sweep_received(sessions, queue, NOW, abandoned_after=after) == 0  # not due yet
    schedule_retry(queue, comment_id, -timedelta(minutes=2))
    assert sweep_received(sessions, queue, NOW, abandoned_after=after) == 1
    assert registry.count == 0
    # The job as it was: a retry stuck on its way does not start its retries over.
    assert_queued_as_it_was(queue, comment_id)


def assert_queued_as_it_was(queue, comment_id) -> None:
    """The comment's job waits in the queue, once, with the one retry it had left."""
    assert queue.get_job_ids() == [job_id_for(comment_id)]
    assert queue.fetch_job(job_id_for(comment_id)).retries_left == 1


class SchedulerBetween(Queue):
    """A queue whose scheduler queues every due retry just after the sweep reads a job."""

    def fetch_job(self, job_id):
        from rq.registry import ScheduledJobRegistry

        job = super().fetch_job(job_id)
        registry = ScheduledJobRegistry(self.name, connection=self.connection)
        if registry.remove(job_id):  # what RQ's scheduler does with a due job
            self._enqueue_job(super().fetch_job(job_id))
        return job


def test_retry_the_scheduler_queues_meanwhile_is_not_queued_again(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = SchedulerBetween("moderation", connection=redis_client)
    schedule_retry(queue, comment_id, -timedelta(minutes=2))
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 0
    assert_queued_as_it_was(queue, comment_id)


def test_a_retry_marked_scheduled_before_its_registry_holds_it_is_left_alone(
    client, app, sessions, redis_client
):
    # RQ writes a retry's status first and its place in the scheduled registry after.
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    schedule_retry(queue, comment_id, -timedelta(minutes=2)).remove(job_id_for(comment_id))
    minute = timedelta(minutes=1)
    passes = [sweep_received(sessions, queue, NOW, abandoned_after=minute) for _ in "12"]
    assert passes == [0, 0]  # seen, and seen again, but not a minute apart
    # Still so a whole overdue time after the first look: nothing will queue it but the sweep.
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(0)) == 1
    assert_queued_as_it_was(queue, comment_id)


def test_an_abandoned_job_is_queued_as_it_was_and_leaves_the_started_registry(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    job = queue.fetch_job(job_id_for(comment_id))
    job.retries_left = 1
    job.save()
    start_job(queue, comment_id, heartbeat_age=timedelta(minutes=2))
    with redis_client.pipeline() as pipe:  # the run of a worker that died
        Execution.create(job, ttl=60, pipeline=pipe)
        pipe.execute()
    assert queue.started_job_registry.get_job_ids()
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 1
    assert queue.started_job_registry.get_job_ids() == []
    assert_queued_as_it_was(queue, comment_id)
    assert queue.fetch_job(job_id_for(comment_id)).meta[ALONE] is True  # its death may be its own


def test_a_job_whose_worker_keeps_dying_is_failed_after_its_resumes(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    after, resumed = timedelta(seconds=30), []
    for _ in range(MAX_RESUMES + 1):
        start_job(queue, comment_id, heartbeat_age=timedelta(minutes=2))  # its worker died
        resumed.append(sweep_received(sessions, queue, NOW, abandoned_after=after))
    assert resumed == [1] * MAX_RESUMES + [0]
    job = queue.fetch_job(job_id_for(comment_id))
    assert job.get_status() == "failed" and queue.count == 0
    assert queue.failed_job_registry.get_job_ids() == [job.id]
    assert job.meta[ALONE] is True  # an operator's requeue-failed runs it alone too
    assert queue.started_job_registry.get_job_ids() == []
    # From there on it is a failed job: re-queued a bounded number of times, then parked;
    # still alone, so it takes no batch of other comments down with it.
    assert sweep_received(sessions, queue, NOW, abandoned_after=after) == 1
    assert queue.get_job_ids() == [job.id]
    assert queue.fetch_job(job.id).meta[ALONE] is True


def test_one_death_seen_again_by_a_later_pass_counts_once(client, app, sessions, redis_client):
    from commentgate.storage.models import utcnow

    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    died_at = utcnow() - timedelta(minutes=2)
    for _ in range(MAX_RESUMES + 1):  # the same run, as a pass cut short and repeated sees it
        job = queue.fetch_job(job_id_for(comment_id))
        queue.remove(job)
        job.set_status("started")
        job.heartbeat(died_at, 60)
        assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 1
    assert queue.fetch_job(job_id_for(comment_id)).get_status() == "queued"


def test_a_dead_run_whose_record_expired_still_leaves_the_started_registry(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    job = queue.fetch_job(job_id_for(comment_id))
    start_job(queue, comment_id, heartbeat_age=timedelta(minutes=2))
    with redis_client.pipeline() as pipe:
        run = Execution.create(job, ttl=60, pipeline=pipe)
        pipe.execute()
    redis_client.delete(run.key)  # a run's record expires before its registry entry does
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 1
    assert queue.started_job_registry.get_job_ids() == []
    assert queue.get_job_ids() == [job.id]


def test_job_taken_by_a_worker_killed_before_it_started_is_requeued(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    job = queue.fetch_job(job_id_for(comment_id))
    redis_client.lmove(queue.key, queue.intermediate_queue.key)  # what a worker's dequeue does
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(minutes=1)) == 0
    # A live worker holds a job there a moment only: the first pass that sees it there waits.
    passes = [sweep_received(sessions, queue, NOW, abandoned_after=timedelta(0)) for _ in "12"]
    assert passes == [0, 1]
    assert queue.get_job_ids() == [job.id]
    assert redis_client.llen(queue.intermediate_queue.key) == 0


def test_job_a_worker_started_after_the_first_look_is_left_alone(
    client, app, sessions, redis_client
):
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    redis_client.lmove(queue.key, queue.intermediate_queue.key)
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(0)) == 0
    start_job(queue, comment_id, heartbeat_age=NOW)  # the worker got on with it
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 0
    assert queue.count == 0


def test_requeued_job_keeps_the_request_id(client, app, sessions, redis_client):
    from tests.helpers import submit

    reply = submit(client, app, headers={"X-Request-ID": "keep-me"})
    comment_id = reply.json["id"]
    queue = Queue("moderation", connection=redis_client)
    start_job(queue, comment_id, heartbeat_age=timedelta(minutes=2))
    assert sweep_received(sessions, queue, NOW, abandoned_after=timedelta(seconds=30)) == 1
    assert queue.fetch_job(job_id_for(comment_id)).meta["request_id"] == "keep-me"


def test_two_sweepers_on_one_redis_take_turns(client, app, sessions, redis_client, redis_url):
    # Each worker process runs a sweeper; per interval only the one Redis elects sweeps.
    comment_id = submit_ok(client, app)
    queue = Queue("moderation", connection=redis_client)
    first, second = (
        Sweeper(sessions, Queue("moderation", connection=redis.Redis.from_url(redis_url)), NOW, 1)
        for _ in range(2)
    )
    forget_job(queue, comment_id)
    first._sweep_received()  # the step run() takes every interval
    assert queue.get_job_ids() == [job_id_for(comment_id)]
    forget_job(queue, comment_id)
    second._sweep_received()  # same interval: not its turn
    assert queue.get_job_ids() == []
    turn = redis_key("sweep", "lock")
    wait_for(lambda: not redis_client.exists(turn), what="the one-second turn to pass")
    second._sweep_received()
    assert queue.get_job_ids() == [job_id_for(comment_id)]
