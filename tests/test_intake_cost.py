"""What a comment costs intake: no site query; one Redis round trip before the commit, one after."""

from __future__ import annotations

import sqlite3
import zlib

import pytest
from pydantic import BaseModel
from sqlalchemy import create_engine, event, text, update
from sqlalchemy.exc import OperationalError

from commentgate import queue as queue_module
from commentgate.queue import (
    DEFAULT_POLICY,
    enqueue_moderation,
    job_id_for,
    moderation_job,
    moderation_queue,
)
from commentgate.storage.db import (
    autocommit_twin,
    make_engine,
    make_session_factory,
    one_statement_work,
    transaction,
)
from commentgate.storage.models import Site
from commentgate.storage.sites import ensure_site
from service.app import create_app
from service.schemas import CountsQuery, PublicListQuery
from tests.helpers import (
    comment_fields,
    comment_write,
    executed,
    new_captcha,
    redis_commands,
    submit_ok,
)


def test_intake_reads_no_site_from_the_database_per_comment(client, app, sessions):
    submit_ok(client, app)  # fills the process's cache of sites
    with executed(sessions.kw["bind"]) as seen:
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


def test_a_comment_is_stored_by_one_statement_that_commits_as_it_runs(client, app, sessions):
    submit_ok(client, app)
    with executed(autocommit_twin(sessions.kw["bind"]), comment_write) as seen:
        submit_ok(client, app)
    assert seen == [("INSERT", True)]


def test_a_one_statement_unit_runs_its_statement_once_the_block_has_ended(sessions, site):
    done: list[str] = []
    rename = update(Site).where(Site.id == site.id).values(name="renamed")
    with one_statement_work(sessions.kw["bind"]) as work:
        work.after_commit(lambda: done.append("hook"))
        work.session.execute(rename)
        assert _site_name(sessions, site) == "demo"  # held: no connection taken yet
    assert (_site_name(sessions, site), done) == ("renamed", ["hook"])


def test_a_one_statement_unit_refuses_a_second_before_running_either(sessions, site):
    done: list[str] = []
    work = one_statement_work(sessions.kw["bind"])
    with pytest.raises(RuntimeError, match="one statement"), work as uow:
        uow.after_commit(lambda: done.append("hook"))
        uow.session.execute(update(Site).where(Site.id == site.id).values(name="renamed"))
        uow.session.execute(text("SELECT 1"))
    assert (_site_name(sessions, site), done) == ("demo", [])


def test_a_failed_block_runs_no_statement_and_no_hook(sessions, site):
    done: list[str] = []
    work = one_statement_work(sessions.kw["bind"])
    with pytest.raises(ValueError), work as uow:
        uow.after_commit(lambda: done.append("hook"))
        uow.session.execute(update(Site).where(Site.id == site.id).values(name="renamed"))
        raise ValueError("a form refused after the statement was held")
    assert (_site_name(sessions, site), done) == ("demo", [])


def test_a_connection_back_from_autocommit_keeps_transactions_whole(database_url, site):
    single = create_engine(database_url, pool_size=1, max_overflow=0)  # the same connection
    factory = make_session_factory(single)
    try:
        with one_statement_work(single) as work:
            work.session.execute(update(Site).where(Site.id == site.id).values(name="renamed"))
        with pytest.raises(ValueError), transaction(factory) as session:
            session.execute(update(Site).where(Site.id == site.id).values(name="lost"))
            raise ValueError("rolled back")
        assert _site_name(factory, site) == "renamed"
    finally:
        single.dispose()


def test_an_engine_has_one_twin_in_autocommit_disposed_with_it(database_url):
    engine = make_engine(database_url)
    try:
        twin = autocommit_twin(engine)
        assert twin is not None and autocommit_twin(engine) is twin
        with twin.connect() as conn:
            assert comment_write(conn, "INSERT INTO comments") == ("INSERT", True)
        assert twin.pool.checkedin() == 1
        engine.dispose()
        assert twin.pool.checkedin() == 0
    finally:
        engine.dispose()


def test_only_an_engine_on_a_database_of_its_own_has_a_twin(database_url):
    foreign = create_engine(database_url)
    memory = make_engine("sqlite://")
    try:
        assert autocommit_twin(foreign) is None and autocommit_twin(memory) is None
    finally:
        foreign.dispose()
        memory.dispose()


def test_a_twin_connection_the_database_dropped_is_replaced_without_an_error(
    database_url, sessions, site
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server ends a session on request")
    engine = make_engine(database_url)
    try:
        twin = autocommit_twin(engine)
        assert twin is not None and twin.pool._pre_ping is False  # not pinged when lent
        with twin.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as admin:  # as a restart would, to the connection in the pool
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with one_statement_work(engine) as work:
            work.session.execute(update(Site).where(Site.id == site.id).values(name="renamed"))
        assert _site_name(sessions, site) == "renamed"
    finally:
        engine.dispose()


def test_a_statement_stored_as_its_connection_dropped_is_not_stored_twice(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'dropped.sqlite3'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE rows (id TEXT PRIMARY KEY)"))
        twin = autocommit_twin(engine)
        dropped = []

        @event.listens_for(twin, "after_cursor_execute")
        def drop_after_the_first(*_args):  # the row is in; the answer never comes
            if not dropped:
                dropped.append(True)
                raise sqlite3.OperationalError("connection dropped")

        @event.listens_for(twin, "handle_error")
        def as_a_disconnect(context):
            context.is_disconnect = "connection dropped" in str(context.original_exception)

        with pytest.raises(OperationalError) as error, one_statement_work(engine) as work:
            work.session.execute(text("INSERT INTO rows (id) VALUES ('c1')"))
        assert error.value.connection_invalidated  # the outage's answer (503), not a 500
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM rows")).scalar_one() == 1
    finally:
        engine.dispose()


def _site_name(sessions, site) -> str:
    with transaction(sessions) as session:
        return session.get(Site, site.id).name


def calls(redis_client, command: str) -> int:
    return redis_client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)


def test_queueing_a_comment_is_one_round_trip(redis_client):
    queue = moderation_queue(redis_client)
    enqueue_moderation(queue, "c0")  # the script's text goes once to a new Redis
    before = calls(redis_client, "evalsha")
    enqueue_moderation(queue, "c1", "req-1")
    assert calls(redis_client, "evalsha") - before == 1
    job = queue.fetch_job(job_id_for("c1"))
    assert list(job.args) == ["c1"]
    assert job.timeout == DEFAULT_POLICY.timeout and job.retries_left == 3
    assert job.meta == {"request_id": "req-1"} and queue.job_ids[-1] == job_id_for("c1")


# Set at the moment of writing: equal only by chance between the two ways of queueing.
MOMENTS = {b"created_at", b"enqueued_at"}


def test_a_job_queued_in_one_trip_is_the_job_rq_queues(redis_client):
    queue = moderation_queue(redis_client)
    enqueue_moderation(queue, "c0", "req-0")  # the first of its shape: RQ's own recording
    enqueue_moderation(queue, "c1", "req-1")  # from the template that recording made
    assert None not in queue_module._TEMPLATES._learnt.values()
    ours = redis_client.hgetall(f"rq:job:{job_id_for('c1')}")
    redis_client.delete(f"rq:job:{job_id_for('c0')}", f"rq:job:{job_id_for('c1')}", queue.key)
    queue.enqueue_many([moderation_job("c1", "req-1", DEFAULT_POLICY)])  # RQ's own MULTI
    theirs = redis_client.hgetall(f"rq:job:{job_id_for('c1')}")
    assert ours.keys() == theirs.keys() and ours.keys() >= MOMENTS
    # The data is compressed with a smaller window: the same once decompressed.
    assert zlib.decompress(ours.pop(b"data")) == zlib.decompress(theirs.pop(b"data"))
    assert {k: v for k, v in ours.items() if k not in MOMENTS} == {
        k: v for k, v in theirs.items() if k not in MOMENTS
    }
    assert queue.job_ids == [job_id_for("c1")]
    assert redis_client.smembers("rq:queues") == {queue.key.encode()}


def test_a_script_redis_forgot_is_sent_again(redis_client):
    queue = moderation_queue(redis_client)
    enqueue_moderation(queue, "c1")
    redis_client.script_flush()  # what a restarted Redis knows of scripts
    enqueue_moderation(queue, "c2")
    assert queue.job_ids == [job_id_for("c1"), job_id_for("c2")]


def test_a_comment_costs_one_round_trip_before_its_commit_and_one_after(client, app, settings):
    submit_ok(client, app)  # RQ asks the server's version once per queue
    captcha_id, answer = new_captcha(client, app)
    body = comment_fields(captcha_id=captcha_id, captcha_answer=answer)
    with redis_commands(settings.redis_url) as seen:
        assert client.post("/api/v1/comments", json=body).status_code == 202
    # The limits and the captcha: one script. The job: one more.
    assert seen == ["EVALSHA", "EVALSHA"], seen


def test_a_comment_over_its_limit_spends_no_captcha(settings, redis_client, sessions, site):
    limited = settings.model_copy(update={"rate_limits": "2/minute"})
    app = create_app(limited, redis_client=redis_client, sessions=sessions)
    client = app.test_client()
    captchas = app.extensions["commentgate"].captchas
    answers = [captchas.issue(site="demo") for _ in range(3)]
    replies = [
        client.post(
            "/api/v1/comments",
            json=comment_fields(captcha_id=c.id, captcha_answer=captchas.answer(c.id)),
        )
        for c in answers
    ]
    assert [r.status_code for r in replies] == [202, 202, 429]
    assert 0 < int(replies[2].headers["Retry-After"]) <= 60
    assert captchas.answer(answers[2].id) is not None  # still there to use later
    assert replies[0].headers["X-RateLimit-Remaining"] == "1"


def test_a_query_models_schema_is_worked_out_once():
    # flask-openapi3 asks for it on every request that has a query string.
    first = PublicListQuery.model_json_schema()
    assert PublicListQuery.model_json_schema() is first
    assert first == BaseModel.model_json_schema.__func__(PublicListQuery)
    assert CountsQuery.model_json_schema()["properties"]["article"]["type"] == "array"
