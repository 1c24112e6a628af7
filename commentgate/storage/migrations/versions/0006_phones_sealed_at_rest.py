"""privacy: phone numbers sealed at rest (AES-GCM, commentgate.sealing)

``comments.phone`` (E.164 in clear) becomes ``comments.phone_sealed``
(``v1:<key id>:<base64url>``). Existing numbers are sealed here, under the data
keyring the caller hands over in the Alembic config's attributes (``data_keyring``);
``commentgate db upgrade`` and ``commentgate run`` do. Without one, a database that
holds phone numbers is refused rather than left in clear. On SQLite the table is
rebuilt with ``secure_delete`` on, so the freed pages that held the numbers are zeroed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_INDEX = "ix_comments_personal_data"
_PERSONAL = (
    "ip IS NOT NULL OR user_agent IS NOT NULL OR phone_hmac IS NOT NULL OR ip_hmac IS NOT NULL"
)
_BEFORE = f"phone IS NOT NULL OR {_PERSONAL}"
_AFTER = f"phone_sealed IS NOT NULL OR {_PERSONAL}"


def _keyring(bind: sa.Connection, column: str):
    keyring = op.get_context().config.attributes.get("data_keyring")
    held = bind.scalar(sa.text(f"SELECT count(*) FROM comments WHERE {column} IS NOT NULL"))
    if held and keyring is None:
        raise RuntimeError(
            f"{held} comments hold a phone number: run `commentgate db upgrade`, which"
            " seals them under the data key"
        )
    return keyring


def _rewrite(bind: sa.Connection, source: str, target: str, convert) -> None:
    rows = bind.execute(sa.text(f"SELECT id, {source} FROM comments WHERE {source} IS NOT NULL"))
    for comment_id, value in rows.all():
        bind.execute(
            sa.text(f"UPDATE comments SET {target} = :v, {source} = NULL WHERE id = :id"),
            {"v": convert(value), "id": comment_id},
        )


def _secure_delete(bind: sa.Connection) -> None:
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete=ON")


def _swap(old: str, new: str, new_type: sa.types.TypeEngine, new_where: str, sealing: bool):
    bind = op.get_bind()
    _secure_delete(bind)
    keyring = _keyring(bind, old)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column(new, new_type, nullable=True))
    if keyring is not None:
        _rewrite(bind, old, new, keyring.seal if sealing else keyring.open)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.drop_column(old)
        batch_op.create_index(
            _INDEX,
            ["site_id", "created_at"],
            unique=False,
            postgresql_where=sa.text(new_where),
            sqlite_where=sa.text(new_where),
        )


def upgrade() -> None:
    _swap("phone", "phone_sealed", sa.String(length=120), _AFTER, sealing=True)


def downgrade() -> None:
    _swap("phone_sealed", "phone", sa.String(length=20), _BEFORE, sealing=False)
