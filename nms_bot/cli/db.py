"""`nms-bot db upgrade` and `nms-bot db current`: the store's schema revision, for operators."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_db(args: argparse.Namespace) -> int:
    # Imported here: the other commands (ask's cold start) never load SQLAlchemy or Alembic.
    from sqlalchemy.exc import SQLAlchemyError

    from ..storage import migrate
    from ..storage.engines import admin_engine, database_url, sqlite_file, upgrade_schema
    from ..storage.guard import error_kind
    from ..storage.store import StoreError

    url = database_url()
    setting = "NMS_DB" if url.startswith("sqlite") else "DATABASE_URL"
    path = sqlite_file(url)
    try:
        if args.action == "upgrade":
            done = upgrade_schema(url, setting)
            if done.done:
                print(done.done)
            print(f"database named by {setting}: schema revision {done.revision} (up to date)")
            return 0
        if path and not Path(path).is_file():
            raise StoreError(f"no database at {path} (NMS_DB): `nms-bot db upgrade` or `nms-bot serve` creates it")
        engine = admin_engine(url)
        try:
            head, now = migrate.describe(engine)
        finally:
            engine.dispose()
    except ImportError:
        raise StoreError(
            "DATABASE_URL names PostgreSQL but its driver is missing: pip install 'nms-bot[postgres]'"
        ) from None
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot open the database named by {setting} ({error_kind(exc)}): check the setting "
            "and that the database is reachable"
        ) from None
    if now.revision == head:
        print(f"schema revision {head} (the newest this nms-bot knows)")
        return 0
    if now.revision and not migrate.known(now.revision):
        raise StoreError(
            f"schema revision {now.revision} is newer than this nms-bot knows (up to {head}): run the newer nms-bot"
        )
    if now.revision:
        print(
            f"schema revision {now.revision}; this nms-bot knows up to {head}: `nms-bot db upgrade` "
            "(serve does it at start)"
        )
    elif adopt := migrate.adoptable(now.tables):
        print(
            f"no schema revision: made before migrations, matches revision {adopt}; "
            f"`nms-bot db upgrade` adopts it and upgrades it to {head}"
        )
    else:
        print(f"empty: `nms-bot db upgrade` creates the tables (revision {head})")
    return 1


def add_parsers(sub: Any) -> None:
    """Add `db upgrade` and `db current` to the nms-bot command line."""
    p = sub.add_parser("db", help="the database schema: upgrade it, or show its revision")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="create or upgrade the tables (serve does this at start)")
    actions.add_parser("current", help="the schema revision; exit 1 when an upgrade is due")
    p.set_defaults(func=cmd_db)
