"""Phone numbers sealed at rest: the keyring, the migration that seals old rows, rotation."""

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import select

from commentgate.errors import DataKeyError
from commentgate.sealing import DataKeyring, data_keyring, new_key_text, reveal_phone
from commentgate.storage.db import transaction
from commentgate.storage.migrate import upgrade
from commentgate.storage.models import Comment
from launch import main
from tests.helpers import submit_ok
from tests.test_migrations import empty_database  # noqa: F401  (a fixture)

PHONE = "+84912345678"


def test_a_sealed_phone_names_its_key_hides_the_number_and_opens_again():
    keyring = DataKeyring.from_texts(new_key_text())
    sealed = keyring.seal(PHONE)
    version, kid, body = sealed.split(":")
    assert (version, kid) == ("v1", keyring.current_id)
    assert "912345678" not in sealed and sealed != keyring.seal(PHONE)  # a fresh nonce
    assert keyring.open(sealed) == PHONE


def test_an_altered_or_foreign_value_does_not_open():
    keyring = DataKeyring.from_texts(new_key_text())
    sealed = keyring.seal(PHONE)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(DataKeyError):
        keyring.open(flipped)
    with pytest.raises(DataKeyError):
        DataKeyring.from_texts(new_key_text()).open(sealed)
    with pytest.raises(DataKeyError):
        DataKeyring.from_texts("too-short")


def test_an_old_key_still_opens_what_it_sealed():
    old, new = new_key_text(), new_key_text()
    sealed = DataKeyring.from_texts(old).seal(PHONE)
    rotated = DataKeyring.from_texts(new, [old])
    assert rotated.open(sealed) == PHONE
    assert not rotated.is_current(sealed) and rotated.is_current(rotated.seal(PHONE))


def test_the_generated_key_is_kept_private_under_var(settings):
    keyring = data_keyring(settings)
    path = settings.var_dir / "data_key"
    assert path.stat().st_mode & 0o077 == 0
    assert type(settings)(var_dir=settings.var_dir).resolved_data_keys()[0] == path.read_text()
    assert keyring.current_id == data_keyring(settings).current_id


def test_intake_stores_the_phone_sealed_and_never_in_clear(client, app, sessions, settings):
    comment_id = submit_ok(client, app)
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        assert comment.phone_sealed.startswith(f"v1:{data_keyring(settings).current_id}:")
        assert reveal_phone(settings, comment) == PHONE
        assert not any("912345678" in text for text in every_text(session))


def every_text(session) -> list[str]:
    """Every text value of every table, as the database returns it."""
    texts = []
    for table in sa.inspect(session.get_bind()).get_table_names():
        for row in session.execute(sa.text(f"SELECT * FROM {table}")):
            texts += [str(value) for value in row if value is not None]
    return texts


def insert_clear_phone(url: str) -> None:
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
                "INSERT INTO comments (id, site_id, article, name, phone, title, content,"
                " honeypot, status, version, created_at, reason_codes, has_link) VALUES"
                " ('c1', 's', 'a', 'n', :p, 't', 'c', '', 'pending', 1, :t, '', false),"
                " ('c2', 's', 'a', 'n', NULL, 't', 'c', '', 'pending', 1, :t, '', false)"
            ),
            {"p": PHONE, "t": "2026-01-01 00:00:00"},
        )
    engine.dispose()


def test_0006_seals_clear_phones_and_refuses_without_a_key(empty_database):  # noqa: F811
    upgrade(empty_database, "0005")
    insert_clear_phone(empty_database)
    with pytest.raises(RuntimeError, match="hold a phone number"):
        upgrade(empty_database)
    keyring = DataKeyring.from_texts(new_key_text())
    upgrade(empty_database, data_keyring=keyring)
    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, phone_sealed FROM comments")).all())
        columns = {c["name"] for c in sa.inspect(conn).get_columns("comments")}
    engine.dispose()
    assert "phone" not in columns and rows["c2"] is None
    assert keyring.open(rows["c1"]) == PHONE


def with_keys(settings, **keys):
    copy = settings.model_copy(update=keys)
    copy.forget_resolved_keys()
    return copy


def invoke(settings, *args, **env):
    base = {
        "COMMENTGATE_VAR_DIR": str(settings.var_dir),
        "REDIS_URL": settings.redis_url,
        "DATABASE_URL": settings.database_url,
    }
    return CliRunner().invoke(main, list(args), env={**base, **env})


def seal_some(sessions, settings, site, count: int) -> list[str]:
    keyring = data_keyring(settings)
    with transaction(sessions) as session:
        comments = [
            Comment(
                site_id=site.id,
                article="a",
                name="n",
                title="t",
                content="c",
                phone_sealed=keyring.seal(f"+8491234{i:04d}"),
            )
            for i in range(count)
        ]
        session.add_all(comments)
        session.flush()
        return [c.id for c in comments]


def sealed_phones(sessions) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(Comment.id, Comment.phone_sealed)).all())


def test_rotating_a_generated_key_reseals_every_phone(settings, sessions, site):
    ids = seal_some(sessions, settings, site, 7)
    old_id = data_keyring(settings).current_id
    result = invoke(settings, "keys", "rotate-data-key", "--batch", "3")
    assert result.exit_code == 0, result.output
    assert "0 under other keys" in result.stderr
    after = type(settings)(var_dir=settings.var_dir)
    keyring = data_keyring(after)
    assert keyring.current_id != old_id
    phones = sealed_phones(sessions)
    assert all(phones[i].startswith(f"v1:{keyring.current_id}:") for i in ids)
    with sessions() as session:
        opened = sorted(reveal_phone(after, session.get(Comment, i)) for i in ids)
    assert opened == [f"+8491234{i:04d}" for i in range(7)]


def test_rotating_to_a_configured_key_keeps_old_rows_readable_until_done(settings, sessions, site):
    old, new = new_key_text(), new_key_text()
    configured = with_keys(settings, data_key=old)
    ids = seal_some(sessions, configured, site, 4)
    rotated = with_keys(settings, data_key=new, old_data_keys=old)
    with sessions() as session:  # before the rotation ran: readable under the new keyring
        assert reveal_phone(rotated, session.get(Comment, ids[0])) == "+84912340000"
    env = {"COMMENTGATE_DATA_KEY": new, "COMMENTGATE_OLD_DATA_KEYS": old}
    assert invoke(settings, "keys", "rotate-data-key", **env).exit_code == 0
    new_id = DataKeyring.from_texts(new).current_id
    assert all(v.startswith(f"v1:{new_id}:") for v in sealed_phones(sessions).values())
    only_new = with_keys(settings, data_key=new)
    with sessions() as session:
        assert reveal_phone(only_new, session.get(Comment, ids[3])) == "+84912340003"
