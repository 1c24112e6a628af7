"""Run Alembic migrations from code, so ``commentgate db upgrade`` needs no alembic.ini."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

from commentgate.storage.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which our env.py keeps


class SchemaState(str, Enum):
    """How a database's schema compares with these migrations."""

    CURRENT = "current"
    MISSING = "missing"  # no database there, or none of our tables in it
    BEHIND = "behind"  # an older revision of ours: an upgrade brings it up
    UNKNOWN = "unknown"  # a revision we do not know: a newer release's, or not ours at all


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head", data_keyring: object = None) -> None:
    """Bring the database schema up to ``revision``.

    ``data_keyring`` (a :class:`commentgate.sealing.DataKeyring`) seals the phone numbers
    an older release stored in clear; a database holding some is refused without it.
    """
    config = alembic_config(database_url)
    config.attributes["data_keyring"] = data_keyring
    command.upgrade(config, revision)


def schema_state(database_url: str) -> SchemaState:
    """Where the database at ``database_url`` stands, without changing anything.

    A missing SQLite file counts as MISSING without being opened (opening
    would create it). Raises SQLAlchemy's errors when the database cannot be
    reached at all: that is an outage, not a missing schema.
    """
    if _sqlite_file_missing(database_url):
        return SchemaState.MISSING
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            revisions = _revisions(connection)
    finally:
        engine.dispose()
    if not revisions:
        return SchemaState.MISSING
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    if revisions == set(scripts.get_heads()):
        return SchemaState.CURRENT
    return SchemaState.BEHIND if _all_known(scripts, revisions) else SchemaState.UNKNOWN


def _revisions(connection: Connection) -> set[str]:
    # Read directly rather than through Alembic's MigrationContext, which logs
    # a line on every command that only wants to know.
    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    return set(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))


def _sqlite_file_missing(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in {None, "", ":memory:"}:
        return False
    return not Path(url.database).exists()


def _all_known(scripts: ScriptDirectory, revisions: set[str]) -> bool:
    try:
        return all(scripts.get_revision(r) is not None for r in revisions)
    except CommandError:  # alembic's ResolutionError for a revision it has no script of
        return False
