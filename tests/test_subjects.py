"""A reader's rights: everything tied to their phone exported, or erased everywhere."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import select

from commentgate.recent_keys import hashed
from commentgate.storage.db import transaction
from commentgate.storage.models import AuditEntry, Ban, Comment, CommentEvent
from commentgate.storage.sites import find_site
from launch import main
from tests.helpers import auth, make_key, submit_ok

M = "/api/v1/moderation/comments"
A = "/api/v1/admin/subjects"
PHONE, OTHER = "0912 345 678", "0987 654 321"
DIGITS = ("912345678", "0912345678", "84912345678")


def invoke(settings, *args):
    env = {
        "COMMENTGATE_VAR_DIR": str(settings.var_dir),
        "REDIS_URL": settings.redis_url,
        "DATABASE_URL": settings.database_url,
    }
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def noticed(sessions, site):
    with transaction(sessions) as session:
        demo = find_site(session, "demo")
        demo.privacy_notice_version = "2026-01"
        demo.privacy_purpose = "Liên hệ về bình luận."
    return demo


@pytest.fixture
def reader(client, app, worker, sessions, noticed, moderator_key):
    """Three comments with the reader's phone (one published, one banned by phone),
    one by somebody else; all scored, so the workers' memory in Redis holds them."""
    mine = [submit_ok(client, app, content=f"Ý kiến số {i} của tôi về bài này") for i in range(3)]
    other = submit_ok(client, app, phone=OTHER, content="Ý kiến của một bạn đọc khác")
    worker()
    client.post(f"{M}/{mine[0]}/approve", headers=auth(moderator_key))
    ban = client.post(
        "/api/v1/moderation/bans",
        json={"kind": "phone", "value": PHONE},
        headers=auth(moderator_key),
    )
    assert ban.status_code == 201, ban.json
    worker()
    return mine, other


def everything_in_redis(client) -> str:
    dumped = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1)
        else:
            value = kind
        dumped.append(f"{key!r}={value!r}")
    return "\n".join(dumped)


def every_text(session) -> str:
    texts = []
    for table in sa.inspect(session.get_bind()).get_table_names():
        for row in session.execute(sa.text(f"SELECT * FROM {table}")):
            texts += [str(value) for value in row if value is not None]
    return "\n".join(texts)


def test_export_lists_comments_statuses_decisions_and_consent(settings, sessions, reader):
    mine, other = reader
    result = invoke(settings, "subject", "export", "--phone", "+84912345678")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["phone"] == "+84912345678"
    by_id = {c["id"]: c for c in document["comments"]}
    assert set(by_id) == set(mine)
    published = by_id[mine[0]]
    assert published["status"] == "approved" and published["phone"] == "+84912345678"
    assert [d["action"] for d in published["decisions"]] == ["approve"]
    assert published["verdicts"] and published["ip"]
    assert published["consent"]["notice_version"] == "2026-01"
    assert published["consent"]["purpose"] == "Liên hệ về bình luận."
    with sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "subject.export"))
    assert entry.target_id == document["request_id"] and entry.detail == {"comments": 3}


def test_a_comment_id_that_is_not_theirs_finds_nothing(settings, reader):
    mine, other = reader
    assert (
        invoke(settings, "subject", "export", "--phone", PHONE, "--comment", mine[1]).exit_code == 0
    )
    refused = invoke(settings, "subject", "export", "--phone", PHONE, "--comment", other)
    assert refused.exit_code == 1 and "not_found" in refused.stderr


@pytest.fixture
def fresh_file(database_url, sessions) -> None:
    """The SQLite file and its WAL without what earlier tests left in free pages (their own
    comments' texts may quote phone numbers): this test reads the raw bytes."""
    if not database_url.startswith("sqlite"):
        return
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        for statement in (
            "PRAGMA wal_checkpoint(TRUNCATE)",
            "VACUUM",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ):
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_erase_leaves_no_phone_in_redis_or_the_database(
    settings, sessions, redis_client, fresh_file, reader, database_url
):
    mine, other = reader
    with sessions() as session:
        phone_hmac = session.get(Comment, mine[0]).phone_hmac
    assert hashed(phone_hmac) in everything_in_redis(redis_client)  # the memory held them
    result = invoke(settings, "subject", "erase", "--phone", PHONE, "--yes")
    assert result.exit_code == 0, result.output
    assert "3 comment(s)" in result.stderr and "2 deleted, 1 emptied" in result.stderr
    assert "the audit log names none of it" in result.stderr

    redis_dump = everything_in_redis(redis_client)
    assert not any(d in redis_dump for d in DIGITS)
    assert hashed(phone_hmac) not in redis_dump and phone_hmac not in redis_dump
    # Job records keep comment ids (opaque, linking to nothing once erased); the memory not.
    memory = [line for line in redis_dump.splitlines() if ":recent:" in line or ":burst:" in line]
    assert not any(i in line for i in mine for line in memory)
    with sessions() as session:
        published = session.get(Comment, mine[0])
        assert (published.status, published.name, published.content) == ("rejected", "Ẩn danh", "")
        assert published.phone_sealed is None and published.ip is None
        assert published.phone_hmac is None and published.consent_version is None
        assert session.get(Comment, mine[1]) is None and session.get(Comment, mine[2]) is None
        assert session.get(Comment, other).phone_hmac is not None  # somebody else's
        events = session.scalars(
            select(CommentEvent.type).where(CommentEvent.comment_id == mine[0])
        ).all()
        assert events[-1] == "unpublished"
        ban = session.scalar(select(Ban))
        assert ban.value_hmac == phone_hmac and ban.lifted_at is None  # the site's protection
        text = every_text(session)
    assert not any(d in text for d in DIGITS)
    assert text.count(phone_hmac) == 1  # the ban's, nothing else
    assert_no_phone_on_disk(database_url, sessions)


def assert_no_phone_on_disk(database_url, sessions) -> None:
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                raw = file.read_bytes()
                assert not any(d.encode() in raw for d in DIGITS), file
        return
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM"))
        columns = conn.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public'"
                " AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
            )
        ).all()
        for table, column in columns:
            values = conn.scalars(sa.text(f'SELECT "{column}"::text FROM "{table}"')).all()
            assert not any(d in (v or "") for v in values for d in DIGITS), (table, column)
    engine.dispose()


def test_a_site_that_anonymises_keeps_the_text_without_its_author(
    settings, sessions, reader, client
):
    mine, _ = reader
    with transaction(sessions) as session:
        find_site(session, "demo").erasure = "anonymise"
    assert invoke(settings, "subject", "erase", "--phone", PHONE, "--yes").exit_code == 0
    with sessions() as session:
        for comment_id in mine:
            comment = session.get(Comment, comment_id)
            assert comment.name == "Ẩn danh" and comment.content.startswith("Ý kiến số")
            assert (comment.phone_sealed, comment.ip, comment.user_agent) == (None, None, None)
    public = client.get("/api/v1/comments", query_string={"site": "demo", "article": "x"})
    assert public.status_code == 200


def test_the_admin_api_exports_and_erases_audited(client, sessions, reader, moderator_key):
    mine, _ = reader
    admin = make_key(sessions, role="admin")
    body = {"phone": PHONE, "comment": mine[2]}
    refused = client.post(f"{A}/export", json=body, headers=auth(moderator_key))
    assert refused.status_code == 403
    exported = client.post(f"{A}/export", json=body, headers=auth(admin))
    assert exported.status_code == 200 and len(exported.json["comments"]) == 3
    erased = client.post(f"{A}/erase", json=body, headers=auth(admin))
    assert erased.status_code == 200
    assert erased.json["comments"] == 3 and erased.json["audit_mentions"] == 0
    again = client.post(f"{A}/export", json=body, headers=auth(admin))
    assert again.status_code == 404
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        audit = json.dumps(
            [(e.target_id, e.reason, e.detail) for e in session.scalars(select(AuditEntry))]
        )
    assert {"subject.export", "subject.erase", "comment.erase"} <= set(actions)
    assert not any(d in audit for d in DIGITS)
