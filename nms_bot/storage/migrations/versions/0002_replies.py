"""Questions answered, by message, for answering once and updating answers to edits (issue 14).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_replies",
        sa.Column("message_key", sa.String(100), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("verdict", sa.String(64), nullable=False),
        sa.Column("reply_ts", sa.String(40)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_replies_created_at", "nms_replies", ["created_at"])


def downgrade() -> None:
    op.drop_table("nms_replies")
