"""`nms-bot db upgrade` and `nms-bot db current`: the store's schema revision, for operators."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def opening(label: str) -> Iterator[None]:
    """Turn a database that cannot be opened into one StoreError line."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..storage.guard import error_kind
    from ..storage.store import StoreError

    try:
        yield
    except ImportError:
        raise StoreError(
            "DATABASE_URL names PostgreSQL but its driver is missing: pip install 'nms-bot[postgres]'"
        ) from None
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot open the database {label} ({error_kind(exc)}): check the setting "
            "and that the database is reachable"
        ) from None


def schema_status() -> tuple[bool, str]:
    """(current, what to say) for the database the environment names, without creating or
    changing it; StoreError when it cannot be read or is newer than this code (`db current`,
    `doctor`)."""
    # Imported here: the other commands (ask's cold start) never load SQLAlchemy or Alembic.
    from ..storage import migrate
    from ..storage.engines import admin_engine, database_label, database_url, sqlite_file
    from ..storage.store import StoreError

    url = database_url()
    label = database_label(url)
    path = sqlite_file(url)
    if path and not Path(path).is_file():
        raise StoreError(f"no database at {path} ({label}): `nms-bot db upgrade` or `nms-bot serve` creates it")
    with opening(label):
        engine = admin_engine(url)
        try:
            head, now = migrate.describe(engine)
        finally:
            engine.dispose()
    if now.revision == head:
        return True, f"schema revision {head} (the newest this nms-bot knows)"
    if now.revision and not migrate.known(now.revision):
        raise StoreError(
            f"schema revision {now.revision} is newer than this nms-bot knows (up to {head}): run the newer nms-bot"
        )
    if now.revision:
        return False, (
            f"schema revision {now.revision}; this nms-bot knows up to {head}: `nms-bot db upgrade` "
            "(serve does it at start)"
        )
    if adopt := migrate.adoptable(now.tables):
        return False, (
            f"no schema revision: made before migrations, matches revision {adopt}; "
            f"`nms-bot db upgrade` adopts it and upgrades it to {head}"
        )
    return False, f"empty: `nms-bot db upgrade` creates the tables (revision {head})"


def cmd_db(args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        from ..storage.engines import database_label, database_url
        from ..storage.migrate import upgrade_schema

        url = database_url()
        label = database_label(url)
        with opening(label):
            done = upgrade_schema(url, label)
        if done.done:
            print(done.done)
        print(f"database {label}: schema revision {done.revision} (up to date)")
        return 0
    current, line = schema_status()
    print(line)
    return 0 if current else 1


def add_parsers(sub: Any) -> None:
    """Add `db upgrade` and `db current` to the nms-bot command line."""
    p = sub.add_parser("db", help="the database schema: upgrade it, or show its revision")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="create or upgrade the tables (serve does this at start)")
    actions.add_parser("current", help="the schema revision; exit 1 when an upgrade is due")
    p.set_defaults(func=cmd_db)
