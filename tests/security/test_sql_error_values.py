"""SQL errors never carry a statement's values: not in the exception, not in the log.

SQLAlchemy leaves out the parameters (``hide_parameters``); PostgreSQL adds a DETAIL
to constraint errors that quotes the values ("Failing row contains (…, +84912345678,
…)"), which the engine must leave out too. The database here refuses every new
comment, the way a constraint the code does not expect would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from commentgate.storage.models import Comment
from tests.helpers import comment_fields, submit

PHONE_DIGITS = "912345678"  # of the helpers' 0912 345 678, stored as +84912345678
IP = "198.51.100.23"

REFUSE = {
    "postgresql": [
        "ALTER TABLE comments ADD CONSTRAINT refuse_all CHECK (false) NOT VALID",
        "ALTER TABLE comments DROP CONSTRAINT IF EXISTS refuse_all",
    ],
    "sqlite": [
        "CREATE TRIGGER refuse_all BEFORE INSERT ON comments BEGIN SELECT RAISE(ABORT, 'no'); END",
        "DROP TRIGGER IF EXISTS refuse_all",
    ],
}


@pytest.fixture
def refusing(sessions) -> Iterator[None]:
    """Comments can no longer be inserted (the database is session-wide: undone after)."""
    engine = sessions.kw["bind"]
    add, drop = REFUSE[engine.dialect.name]
    # Dropped first as well: a run stopped inside a test must not leave every later test
    # refusing its comments.
    with engine.begin() as conn:
        conn.execute(text(drop))
        conn.execute(text(add))
    try:
        yield
    finally:
        engine.dispose()  # no pooled connection of the test may hold a lock the drop waits on
        with engine.begin() as conn:
            conn.execute(text(drop))


def test_the_exception_carries_no_values(sessions, site, refusing):
    with sessions() as session, pytest.raises(IntegrityError) as caught:
        session.add(
            Comment(
                site_id=site.id,
                article="https://news.example/a.html",
                name="An",
                phone_sealed=f"+84{PHONE_DIGITS}",  # any value of a column: none may leak
                ip=IP,
                title="t",
                content="c",
            )
        )
        session.commit()
    error = caught.value
    for message in (str(error), str(error.orig)):
        assert PHONE_DIGITS not in message and IP not in message


def test_the_log_of_a_failed_request_carries_no_values(client, app, refusing, caplog):
    client.environ_base["REMOTE_ADDR"] = IP
    with caplog.at_level(logging.INFO):
        response = submit(client, app)
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text  # the error was logged, with its traceback
    # a filter masks phones and IPs in production log lines, but not the rest of a row
    content = comment_fields()["content"].splitlines()[0]
    for value in (PHONE_DIGITS, IP, content):
        assert value not in caplog.text
    assert PHONE_DIGITS not in response.get_data(as_text=True)
