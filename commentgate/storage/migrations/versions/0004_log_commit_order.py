"""logs in commit order: the inserting transaction of events and decisions

Events and decisions record the id of the transaction that inserted them, and the
events feed and model learning read them in (txid, id) order, only as far as no
running transaction can commit before (commentgate.storage.commit_order). Rows that
exist already get txid 0: they were all committed before this migration, so they come
first, in id order as before, and a feed cursor or a model's place in the log made
before it stays where it was.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:04:11.518203
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commentgate.storage.commit_order import current_txid

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LOGS = ("decisions", "comment_events")


def upgrade() -> None:
    for table in _LOGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("txid", sa.BigInteger(), server_default="0", nullable=False)
            )
    if op.get_bind().dialect.name == "postgresql":
        # Only now: as the column's default when it was added, every existing row
        # would have got this migration's transaction id.
        for table in _LOGS:
            op.alter_column(table, "txid", server_default=current_txid())

    with op.batch_alter_table("comment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_events_site")
        batch_op.create_index("ix_comment_events_site", ["site_id", "txid", "id"], unique=False)
        batch_op.create_index("ix_comment_events_comment", ["comment_id", "txid"], unique=False)

    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_decision_txid", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_column("last_decision_txid")

    with op.batch_alter_table("comment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_events_comment")
        batch_op.drop_index("ix_comment_events_site")
        batch_op.create_index("ix_comment_events_site", ["site_id", "id"], unique=False)

    for table in reversed(_LOGS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("txid")
