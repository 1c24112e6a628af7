"""Migrations: the schema they build is the models' schema; 0003 and 0004 backfill and undo."""

import json
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commentgate.storage.migrate import alembic_config, upgrade
from commentgate.storage.models import Base
from tests.services import postgres_database


def test_migrated_schema_matches_the_models(database_url, engines):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_0003_backfills_links_and_reason_codes_and_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0002")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sites (id, name, mode, spam_at, approve_below, created_at)"
                " VALUES ('s', 'x', 'pre', 1, 0.3, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO comments (id, site_id, article, name, title, content, honeypot,"
                " status, version, created_at) VALUES"
                " ('c1', 's', 'a', 'n', 't', 'xem WWW.x.com', '', 'pending', 1, :t),"
                " ('c2', 's', 'a', 'n', 't', 'plain', '', 'pending', 1, :t)"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
        reasons = json.dumps([{"code": "links", "weight": 0.4, "detail": ""}])
        conn.execute(
            sa.text(
                "INSERT INTO verdicts (comment_id, score, reasons, model_version, status,"
                " created_at) VALUES ('c1', 0.4, :r, 'm', 'pending', '2026-01-01 00:00:00')"
            ),
            {"r": reasons},
        )
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, has_link, reason_codes FROM comments ORDER BY id"))
        assert [tuple(r) for r in rows] == [("c1", 1, ",links,"), ("c2", 0, "")]
    command.downgrade(alembic_config(url), "0002")
    with engine.connect() as conn:
        assert "bans" not in sa.inspect(conn).get_table_names()
    upgrade(url)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    """A database no migration has run on yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL tests)")
    with postgres_database(os.environ["TEST_DATABASE_URL"]) as url:
        yield url


def test_0004_puts_existing_log_rows_first_and_keeps_a_models_place(empty_database):
    upgrade(empty_database, "0003")
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sites (id, name, mode, spam_at, approve_below, created_at,"
                " blocked_domains, allowed_domains, custom_words)"
                " VALUES ('s', 'x', 'pre', 1, 0.3, :t, '[]', '[]', '[]');"
            ),
            {"t": "2026-01-01 00:00:00+00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO api_keys (id, key_hash, prefix, name, role, created_at)"
                " VALUES ('k', 'h', 'p', 'n', 'moderator', :t)"
            ),
            {"t": "2026-01-01 00:00:00+00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO comments (id, site_id, article, name, title, content, honeypot,"
                " status, version, created_at) VALUES"
                " ('c1', 's', 'a', 'n', 't', 'x', '', 'approved', 2, :t)"
            ),
            {"t": "2026-01-01 00:00:00+00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO decisions (comment_id, key_id, action, from_status, to_status,"
                " created_at) VALUES ('c1', 'k', 'approve', 'pending', 'approved', :t)"
            ),
            {"t": "2026-01-01 00:00:00+00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO model_versions (site_id, version, weights, examples,"
                " last_decision_id, created_at) VALUES ('s', 'v1', :w, 1, 1, :t)"
            ),
            {"w": b"", "t": "2026-01-01 00:00:00+00"},
        )
    upgrade(empty_database)
    with engine.begin() as conn:
        assert conn.scalar(sa.text("SELECT txid FROM decisions")) == 0
        assert conn.scalar(sa.text("SELECT last_decision_txid FROM model_versions")) == 0
        conn.execute(
            sa.text(
                "INSERT INTO decisions (comment_id, key_id, action, from_status, to_status,"
                " created_at) VALUES ('c1', 'k', 'approve', 'pending', 'approved', :t)"
            ),
            {"t": "2026-01-02 00:00:00+00"},
        )
        new = conn.scalar(sa.text("SELECT txid FROM decisions WHERE id = 2"))
    # New rows record their transaction where one can commit out of order (PostgreSQL).
    assert new > 0 if engine.dialect.name == "postgresql" else new == 0
    command.downgrade(alembic_config(empty_database), "0003")
    with engine.connect() as conn:
        assert "txid" not in {c["name"] for c in sa.inspect(conn).get_columns("decisions")}
    upgrade(empty_database)
    engine.dispose()
