"""The store's schema history, applied with Alembic (see nms_bot/storage/migrate.py).

Adding a change (a table, a column, an index):

1. Change the tables in nms_bot/storage/schema.py (what the code queries).
2. Add a file to versions/ named `NNNN_what.py` whose `down_revision` is the current head
   (the highest NNNN), with `revision = "NNNN"` and `upgrade()` / `downgrade()` written with
   `alembic.op` (on SQLite, alter tables inside `op.batch_alter_table`). To draft it, run
   from the repository root, with NMS_DB (or DATABASE_URL) naming a database at the current
   head: `alembic -c nms_bot/storage/migrations/alembic.ini revision --autogenerate
   --rev-id NNNN -m what`, then read and edit the result.
3. If the table existed before migrations (made by `create_all` in a release), add it to
   PRE_MIGRATION_TABLES in nms_bot/storage/migrate.py so that such databases are adopted.
4. Never edit a released migration: databases out there have run it.

tests/test_migrations.py checks that the migrations, run from an empty database, build exactly
the tables in schema.py, on SQLite and PostgreSQL; it fails until step 2 is done.
"""
