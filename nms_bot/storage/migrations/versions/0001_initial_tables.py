"""The tables of the last release before migrations: seen events, answers, feedback, gaps.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_seen_events",
        sa.Column("event_id", sa.String(100), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_seen_events_created_at", "nms_seen_events", ["created_at"])
    op.create_table(
        "nms_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_answers_created_at", "nms_answers", ["created_at"])
    op.create_table(
        "nms_feedback",
        sa.Column("vote_key", sa.String(64), primary_key=True),
        sa.Column("topic_id", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_feedback_created_at", "nms_feedback", ["created_at"])
    op.create_table(
        "nms_gaps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("text", sa.String(600), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_nms_gaps_created_at", "nms_gaps", ["created_at"])


def downgrade() -> None:
    for table in ("nms_gaps", "nms_feedback", "nms_answers", "nms_seen_events"):
        op.drop_table(table)
