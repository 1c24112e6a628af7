"""What one comment costs intake: no site query per request, one round trip to queue it."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from commentgate.queue import DEFAULT_POLICY, enqueue_moderation, job_id_for, moderation_queue
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from tests.helpers import comment_fields, new_captcha, submit_ok


@contextmanager
def statements(sessions):
    """Every SQL statement the block runs, as text."""
    engine = sessions.kw["bind"]
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_intake_reads_no_site_from_the_database_per_comment(client, app, sessions):
    submit_ok(client, app)  # fills the process's cache of sites
    with statements(sessions) as seen:
        submit_ok(client, app, headers={"Origin": "https://news.example"})
    assert not [s for s in seen if "FROM sites" in s or "FROM site_origins" in s], seen


def test_an_origin_added_just_now_is_let_in_at_once(client, app, sessions):
    submit_ok(client, app)
    with transaction(sessions) as session:
        ensure_site(session, "demo", ["https://new.example"])
    submit_ok(client, app, headers={"Origin": "https://new.example"})


def test_a_site_registered_just_now_takes_comments_at_once(client, app, sessions):
    submit_ok(client, app)
    with transaction(sessions) as session:
        ensure_site(session, "later")
    submit_ok(client, app, site="later")


def test_an_unregistered_origin_is_still_refused(client, app):
    captcha_id, answer = new_captcha(client, app)
    body = {"captcha_id": captcha_id, "captcha_answer": answer}
    reply = client.post(
        "/api/v1/comments",
        json={**comment_fields(), **body},
        headers={"Origin": "https://evil.example"},
    )
    assert reply.status_code == 403


def transactions(redis_client) -> int:
    return redis_client.info("commandstats").get("cmdstat_exec", {}).get("calls", 0)


def test_queueing_a_comment_is_one_round_trip(redis_client):
    queue = moderation_queue(redis_client)
    before = transactions(redis_client)
    enqueue_moderation(queue, "c1", "req-1")
    assert transactions(redis_client) - before == 1
    job = queue.fetch_job(job_id_for("c1"))
    assert list(job.args) == ["c1"]
    assert job.timeout == DEFAULT_POLICY.timeout and job.retries_left == 3
    assert job.meta == {"request_id": "req-1"} and queue.job_ids == [job_id_for("c1")]
