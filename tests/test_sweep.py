"""The sweep re-queues comments whose job was lost, and only those."""

from datetime import timedelta

import redis
from rq import Queue

from commentgate.queue import job_id_for
from commentgate.storage.models import Comment
from tests.conftest import replace_services
from tests.helpers import submit_ok
from tests.services import free_port
from workers.sweep import MAX_SWEEP_RETRIES, sweep_received

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


def test_sweep_ignores_scored_comments(client, app, sessions, redis_client, worker):
    submit_ok(client, app)
    worker()
    assert sweep_received(sessions, Queue("moderation", connection=redis_client), NOW) == 0
