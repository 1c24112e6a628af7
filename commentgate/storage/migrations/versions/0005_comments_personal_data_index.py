"""retention: index of the comments that still hold their author's personal data

A site's retention period erases phone numbers, IPs, user agents and their
fingerprints from older comments (commentgate.storage.retention); this partial index
holds only the comments not yet dealt with, so each pass reads no others.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:37:52.170946
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# As in commentgate.storage.models when this was written.
_HOLDS_PERSONAL_DATA = (
    "phone IS NOT NULL OR ip IS NOT NULL OR user_agent IS NOT NULL"
    " OR phone_hmac IS NOT NULL OR ip_hmac IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_personal_data",
            ["site_id", "created_at"],
            unique=False,
            postgresql_where=sa.text(_HOLDS_PERSONAL_DATA),
            sqlite_where=sa.text(_HOLDS_PERSONAL_DATA),
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_personal_data")
