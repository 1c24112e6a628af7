"""``commentgate status`` and ``commentgate requeue-failed``."""

from __future__ import annotations

from click.testing import CliRunner
from rq import Queue
from rq.registry import FailedJobRegistry

from commentgate.queue import job_id_for
from launch import main
from tests.helpers import submit_ok
from tests.test_cli import env_for
from workers.sweep import sweep_resumes_key, sweep_retries_key


def invoke(settings, *args):
    return CliRunner().invoke(main, list(args), env=env_for(settings))


def fail(redis_client, comment_id: str) -> None:
    """Park a comment's job in the failed registry, as a job out of retries is."""
    queue = Queue("moderation", connection=redis_client)
    job = queue.fetch_job(job_id_for(comment_id))
    queue.remove(job)
    FailedJobRegistry("moderation", connection=redis_client).add(job, exc_string="boom")
    job.set_status("failed")


def test_status_shows_queue_failures_and_oldest_waiting(settings, client, app, redis_client):
    first = submit_ok(client, app)
    submit_ok(client, app)
    fail(redis_client, first)
    result = invoke(settings, "status")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "queue moderation: queued 1" in out and "failed 1" in out
    assert "workers: 0 alive" in out
    assert f"{job_id_for(first)} ended" in out
    assert f"oldest waiting comment: {first}" in out
    assert "received 2" in out


def test_requeue_one_by_comment_id_and_all(settings, client, app, redis_client):
    ids = [submit_ok(client, app) for _ in range(3)]
    for comment_id in ids:
        fail(redis_client, comment_id)
    redis_client.set(sweep_retries_key(ids[0]), 3)
    redis_client.sadd(sweep_resumes_key(ids[0]), "a run its worker died in")
    one = invoke(settings, "requeue-failed", ids[0])
    assert one.exit_code == 0 and one.stdout.strip() == job_id_for(ids[0])
    assert redis_client.get(sweep_retries_key(ids[0])) is None  # the sweep may try again
    assert redis_client.scard(sweep_resumes_key(ids[0])) == 0  # and resume it again
    rest = invoke(settings, "requeue-failed", "--all")
    assert rest.exit_code == 0 and sorted(rest.stdout.split()) == sorted(map(job_id_for, ids[1:]))
    assert Queue("moderation", connection=redis_client).count == 3
    again = invoke(settings, "requeue-failed", ids[0])  # not failed any more
    assert again.exit_code == 1 and again.stderr == f"Error: no failed job {ids[0]}\n"


def test_requeue_needs_an_id_or_all(settings, redis_client):
    neither = invoke(settings, "requeue-failed")
    assert neither.exit_code == 2 and "Error: give a JOB_ID or --all\n" in neither.stderr
    both = invoke(settings, "requeue-failed", "x", "--all")
    assert both.exit_code == 2 and "Error: give a JOB_ID or --all, not both" in both.stderr
    unknown = invoke(settings, "requeue-failed", "nope")
    assert unknown.exit_code == 1 and unknown.stderr == "Error: no failed job nope\n"


def test_status_says_which_dependency_is_down(settings, sessions):
    from tests.services import free_port

    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    result = invoke(down, "status")
    assert result.exit_code == 1
    assert "redis: unavailable" in result.stdout
    assert "comments: received 0" in result.stdout  # the database part still printed
