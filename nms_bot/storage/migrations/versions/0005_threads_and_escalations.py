"""Threads the bot answered in (follow-ups) and "Ask a colleague" presses (issue 11).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_threads",
        sa.Column("thread_key", sa.String(100), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_threads_expires_at", "nms_threads", ["expires_at"])
    op.create_table(
        "nms_escalations",
        sa.Column("escalation_key", sa.String(64), primary_key=True),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_escalations_created_at", "nms_escalations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_nms_escalations_created_at", table_name="nms_escalations")
    op.drop_table("nms_escalations")
    op.drop_index("ix_nms_threads_expires_at", table_name="nms_threads")
    op.drop_table("nms_threads")
