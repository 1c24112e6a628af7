"""site rules (shadow, active, retired), held authors, post-moderation holds

Revision ID: 0008_site_rules
Revises: 0007
Create Date: 2026-12-06 22:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commentgate.storage.models import UTCDateTime

revision = "0008_site_rules"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(32), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("action", sa.String(16), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_site_rules_site_state", "site_rules", ["site_id", "state"])
    op.create_table(
        "held_authors",
        sa.Column("site_id", sa.String(32), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("phone_hmac", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(32), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "phone_hmac"),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        for column in ("hold_first_time", "hold_links"):
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        for column in ("hold_links", "hold_first_time"):
            batch_op.drop_column(column)
    op.drop_table("held_authors")
    op.drop_index("ix_site_rules_site_state", table_name="site_rules")
    op.drop_table("site_rules")
