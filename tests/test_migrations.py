"""Migrations: the schema they build is the models' schema, and 0003 backfills and undoes."""

import json

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commentgate.storage.migrate import alembic_config, upgrade
from commentgate.storage.models import Base


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
