"""Review reminders sent, so that each goes out once across instances (issue 12).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_reminders",
        sa.Column("owner_id", sa.String(40), primary_key=True),
        sa.Column("topic_id", sa.String(100), primary_key=True),
        sa.Column("reason", sa.String(20), primary_key=True),
        sa.Column("period", sa.String(80), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("nms_reminders")
