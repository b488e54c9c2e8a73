"""Bringing a database to the schema this code knows, with Alembic (nms_bot/storage/migrations).

Every process that opens the store calls `upgrade`: a database already at the head revision is
only read (so a read-only database opens, and the start-up write check can say what is wrong).
Otherwise the work happens under a lock two processes cannot both hold (PostgreSQL: an advisory
lock; SQLite: an exclusive lock on a file beside the database), and whoever gets the lock second
finds the work done. A database made before migrations existed (its tables made by
`create_all`, no version table) is recognised by its tables and stamped with the revision that
matches them, then upgraded: no row is touched. A database at a revision this code does not know
(upgraded by a newer nms-bot) is refused.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from ..errors import ConfigurationError
from .engines import admin_engine, database_url, sqlite_file

# Alembic's own INFO lines ("Context impl SQLiteImpl.") come on every look at the version; the
# upgrade logs what it did in one line of its own.
logging.getLogger("alembic").setLevel(logging.WARNING)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "nms_alembic_version"  # prefixed, like our tables: the database may be shared
LOCK_KEY = 0x6E6D7362  # any constant: PostgreSQL advisory locks are named by a number
LOCK_WAIT_SECONDS = 120.0  # SQLite: how long to wait for another process's upgrade
# The tables each revision creates that releases before migrations made with create_all, in
# order: such a database is stamped with the last revision whose tables it has. Only tables
# made by a release before migrations belong here; later ones exist only through migrations.
PRE_MIGRATION_TABLES = (
    ("0001", ("nms_seen_events", "nms_answers", "nms_feedback", "nms_gaps")),
    ("0002", ("nms_replies",)),
    ("0003", ("nms_reminders",)),
)

T = TypeVar("T")


class MigrationError(ConfigurationError):
    """The database's schema cannot be brought to what this code knows (one line, exit 2)."""


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # None: no version table (empty, or made before migrations)
    tables: frozenset[str]


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def alembic_connection(config: Config) -> Connection:
    """The connection env.py migrates: the one handed over, or (a developer running the alembic
    command line) one to the database the environment names."""
    connection = config.attributes.get("connection")
    if connection is None:
        connection = create_engine(database_url()).connect()
        config.attributes["connection"] = connection
    return connection


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this code knows."""
    return str(_scripts().get_current_head())


def known(revision: str) -> bool:
    return any(s.revision == revision for s in _scripts().walk_revisions())


def state(conn: Connection) -> SchemaState:
    """What the database holds now. Ends the read transaction, so no lock is kept."""
    try:
        tables = frozenset(inspect(conn).get_table_names())
        revision = None
        if VERSION_TABLE in tables:
            revision = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
        return SchemaState(revision, tables)
    finally:
        conn.rollback()


def adoptable(tables: frozenset[str]) -> str | None:
    """The revision a database made before migrations matches (None: it has none of our tables);
    MigrationError when its tables match no release's."""
    revision = None
    for rev, names in PRE_MIGRATION_TABLES:
        if not all(n in tables for n in names):
            break
        revision = rev
    stray = [
        n for rev, names in PRE_MIGRATION_TABLES if revision is None or rev > revision for n in names if n in tables
    ]
    if stray:
        raise MigrationError(
            f"the database has some of nms-bot's tables ({', '.join(stray)}) but not all those a "
            "release made with them: it was not made by nms-bot, or only partly; point the bot "
            "at another database or restore a backup"
        )
    return revision


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: the database is at `revision`; `done` says how it got there, for the log
    (None: it already was, or another process did it)."""

    revision: str
    done: str | None = None


def upgrade(engine: Engine, setting: str, sqlite_file: str | None = None) -> Upgrade:
    """Bring the database to the head revision (see the module's docstring).
    `setting` names the database in messages (engines.database_label); `sqlite_file` is the file to lock beside.
    Logs nothing: a start-up error that follows stays one line; the caller logs `done`."""
    target = head()
    return _patiently(lambda: _upgrade(engine, target, setting, sqlite_file))


def _upgrade(engine: Engine, target: str, setting: str, sqlite_file: str | None) -> Upgrade:
    with engine.connect() as conn:
        if _check(state(conn), target, setting):
            return Upgrade(target)
        with _lock(conn, sqlite_file):
            now = state(conn)  # another process may have done it while we waited
            if _check(now, target, setting):
                return Upgrade(target)
            config = _config(conn)
            start = now.revision
            if now.revision is None:
                start = adoptable(now.tables)
                if start:
                    command.stamp(config, start)
                    conn.commit()
            command.upgrade(config, target)
            conn.commit()
    if now.revision is None and start:
        done = f"made before schema migrations: adopted at revision {start} and upgraded to {target}"
    else:
        done = f"upgraded from schema revision {start or '(empty)'} to {target}"
    return Upgrade(target, f"database {setting} {done}")


def _check(now: SchemaState, target: str, setting: str) -> bool:
    """True when nothing is to be done; MigrationError for a revision this code does not know."""
    if now.revision == target:
        return True
    if now.revision is not None and not known(now.revision):
        raise MigrationError(
            f"the database {setting} has schema revision {now.revision}, newer than this "
            f"nms-bot knows (up to {target}): run the newer nms-bot, or restore a backup"
        )
    return False


@contextlib.contextmanager
def _lock(conn: Connection, sqlite_file: str | None) -> Iterator[None]:
    """Held while upgrading: only one process migrates at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()  # a session lock: it outlives the transaction that took it
        try:
            yield
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()
    elif sqlite_file:
        with _file_lock(sqlite_file + "-migrate.lock"):
            yield
    else:  # in-memory SQLite: one process by definition
        yield


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MigrationError(
            f"cannot create the lock file {path} to upgrade the database ({reason}): the "
            "database's folder must be writable"
        ) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MigrationError(
                        f"another process has held {path} for {LOCK_WAIT_SECONDS:g} s while "
                        "upgrading the database: is one stuck?"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _patiently(fn: Callable[[], T], patience: float = 10.0) -> T:
    """`fn()`, retried while another SQLite process holds a lock it needs: switching a fresh
    file to WAL can meet SQLITE_BUSY at once, without the busy timeout being waited (SQLite's
    way out of a deadlock between two writers)."""
    deadline = time.monotonic() + patience
    pause = 0.02
    while True:
        try:
            return fn()
        except OperationalError as exc:
            busy = getattr(exc.orig, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def describe(engine: Engine) -> tuple[str, SchemaState]:
    """(head, what the database holds) for `nms-bot db current`."""
    with engine.connect() as conn:
        return head(), state(conn)


def upgrade_schema(url: str, setting: str, store_engine: Engine | None = None) -> Upgrade:
    """Bring the database to the schema this code knows (below); its revision.
    On an engine of its own without statement time-outs: another instance's upgrade may take a while
    (in-memory SQLite: on `store_engine`, whose connection is the database)."""
    if store_engine is not None and make_url(url).get_backend_name() == "sqlite" and not sqlite_file(url):
        return upgrade(store_engine, setting)
    engine = admin_engine(url)
    try:
        return upgrade(engine, setting, sqlite_file(url))
    finally:
        engine.dispose()
