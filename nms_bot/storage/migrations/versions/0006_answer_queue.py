"""The durable answering queue: acknowledged questions kept until answered (issue 18), and which
queue row claimed a question message.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_answer_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(100)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_answer_queue_claimed_until", "nms_answer_queue", ["claimed_until"])
    with op.batch_alter_table("nms_replies") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("nms_replies") as batch:
        batch.drop_column("claimed_by")
    op.drop_index("ix_nms_answer_queue_claimed_until", table_name="nms_answer_queue")
    op.drop_table("nms_answer_queue")
