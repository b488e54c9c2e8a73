"""How each reader wants answers: brief or full, abbreviations spelled out or short (issue 19).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nms_reader_preferences",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("length", sa.String(10), nullable=False),
        sa.Column("abbreviations", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("nms_reader_preferences")
