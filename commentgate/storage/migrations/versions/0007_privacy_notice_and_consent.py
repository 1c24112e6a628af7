"""privacy: a site's notice, the consent a comment was given with, how erasure ends

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from commentgate.storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_notice_url", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("privacy_notice_version", sa.String(50), nullable=True))
        batch_op.add_column(sa.Column("privacy_purpose", sa.String(1000), nullable=True))
        batch_op.add_column(
            sa.Column("consent_always", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("erasure", sa.String(16), server_default="delete", nullable=False)
        )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(50), nullable=True))
        batch_op.add_column(sa.Column("consent_purpose", sa.String(1000), nullable=True))
        batch_op.add_column(sa.Column("consent_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        for column in ("consent_at", "consent_purpose", "consent_version"):
            batch_op.drop_column(column)
    with op.batch_alter_table("sites", schema=None) as batch_op:
        for column in (
            "erasure",
            "consent_always",
            "privacy_purpose",
            "privacy_notice_version",
            "privacy_notice_url",
        ):
            batch_op.drop_column(column)
