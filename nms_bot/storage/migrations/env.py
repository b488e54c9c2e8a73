"""Alembic's entry point: runs the migrations on the connection nms_bot.storage.migrate hands over
(configured in code: no alembic.ini is read at run time)."""

from __future__ import annotations

from alembic import context

from nms_bot.storage.migrate import VERSION_TABLE, alembic_connection
from nms_bot.storage.schema import metadata

connection = alembic_connection(context.config)
context.configure(
    connection=connection,
    target_metadata=metadata,  # what `alembic revision --autogenerate` compares against
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
