"""Database trouble inside one request is the client's 503, never a 500."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import create_engine, text

from commentgate.storage.db import make_engine, make_session_factory
from service.app import create_app
from tests.helpers import auth, submit_ok


def test_exhausted_pool_answers_503(settings, redis_client, database_url, site):
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    app = create_app(settings, redis_client=redis_client, sessions=make_session_factory(engine))
    with engine.connect():  # the only connection, held
        reply = app.test_client().get("/api/v1/comments?site=demo&article=a")
    assert reply.status_code == 503
    assert reply.json["error"]["code"] == "unavailable" and reply.headers["Retry-After"]
    engine.dispose()


def test_row_lock_outliving_the_lock_timeout_answers_503(
    settings, redis_client, database_url, client, app, moderator_key
):
    if not database_url.startswith("postgresql"):
        pytest.skip("lock_timeout is PostgreSQL's")
    comment_id = submit_ok(client, app)
    impatient = make_engine(database_url, statement_timeout_ms=200)
    strict = create_app(
        settings, redis_client=redis_client, sessions=make_session_factory(impatient)
    )
    holder = make_engine(database_url)
    with holder.begin() as conn:
        conn.execute(text("SELECT id FROM comments WHERE id = :id FOR UPDATE"), {"id": comment_id})
        reply = strict.test_client().post(
            f"/api/v1/moderation/comments/{comment_id}/approve", headers=auth(moderator_key)
        )
    assert reply.status_code == 503, reply.json
    assert reply.json["error"]["code"] == "unavailable"
    impatient.dispose()
    holder.dispose()


def test_redis_clients_retry_briefly_then_give_up(tmp_path):
    """Two quick retries absorb a blip; redis-py's default ten would hold a request for seconds."""
    from commentgate.config import Settings
    from commentgate.redis_conn import connect_redis
    from tests.services import free_port

    settings = Settings(var_dir=tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    client = connect_redis(settings)
    assert client.get_retry().get_retries() == 2
    with pytest.raises(redis.ConnectionError):
        client.ping()
