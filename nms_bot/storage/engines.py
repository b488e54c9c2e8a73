"""Engines for the store: which database the environment names, the time-outs and SQLite settings
every connection gets, and the engine schema work runs on (migrate.py upgrades the schema)."""

from __future__ import annotations

import contextlib
import math
import os
from functools import partial
from typing import Any

from sqlalchemy import Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

DEFAULT_DB = "nms-bot.db"


def database_url(env: dict[str, str] | None = None) -> str:
    """`DATABASE_URL` (PostgreSQL, driver psycopg), else SQLite at `NMS_DB`."""
    env = dict(os.environ) if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):  # the form hosting platforms hand out
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{env.get('NMS_DB', '').strip() or DEFAULT_DB}"


def database_label(url: str, env: dict[str, str] | None = None) -> str:
    """How messages name the database: by the setting that names it, or as the default SQLite file
    when nothing does ("database named by NMS_DB" would send an operator to a setting not set)."""
    env = dict(os.environ) if env is None else env
    if make_url(url).get_backend_name() != "sqlite":
        return "named by DATABASE_URL"
    if make_url(url).database == DEFAULT_DB and not env.get("NMS_DB", "").strip():
        return f"{DEFAULT_DB} (the default: NMS_DB is not set)"
    return "named by NMS_DB"


def sqlite_file(url: str) -> str | None:
    """The file an SQLite URL names (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def new_sqlite_files(url: str) -> list[str]:
    """The files opening the SQLite database `url` would create (none when it exists already, or
    is not SQLite): what a failed start removes again, so that it leaves nothing behind."""
    path = sqlite_file(url)
    if not path or os.path.exists(path):
        return []
    lock = path + "-migrate.lock"
    return [path, path + "-wal", path + "-shm", *([] if os.path.exists(lock) else [lock])]


def remove_files(paths: list[str]) -> None:
    """Delete what exists of `paths`."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def insert_for(engine: Engine, table: Table) -> Any:
    """An INSERT into `table` in the engine's own dialect, which can take ON CONFLICT clauses
    (SQLite and PostgreSQL spell them alike)."""
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)


def store_engine(url: str, timeout: float | None) -> Engine:
    """The store's engine: PostgreSQL's connect, statement and lock time-outs set to `timeout`;
    SQLite in WAL mode, waiting for locks a little under `timeout`."""
    engine = create_engine(url, pool_pre_ping=True, future=True, **_timeouts(url, timeout))
    if engine.dialect.name == "sqlite":
        # A little under the deadline, so a held lock is reported as SQLITE_BUSY, not a time-out.
        busy_ms = int((timeout * 0.8 if timeout else 10) * 1000)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms))
    return engine


def admin_engine(url: str) -> Engine:
    """An engine for schema work: no pool, no statement time-out; SQLite waits up to 10 s for locks."""
    args = _timeouts(url, None)
    args.pop("pool_timeout", None)
    engine = create_engine(url, poolclass=NullPool, **args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", partial(_sqlite_pragmas, 10_000))
    return engine


def _timeouts(url: str, timeout: float | None) -> dict[str, Any]:
    """PostgreSQL: give up connecting, waiting for a lock and running a statement after
    `timeout` (the server enforces the last two; libpq counts whole seconds, at least 2)."""
    if make_url(url).get_backend_name() != "postgresql":
        return {}
    seconds = timeout or 10
    args: dict[str, Any] = {"connect_timeout": max(2, math.ceil(seconds))}
    if timeout:
        ms = int(timeout * 1000)
        args["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return {"connect_args": args, "pool_timeout": seconds}


def _sqlite_pragmas(busy_ms: int, dbapi_conn: Any, _record: Any) -> None:
    # busy_timeout first: switching to WAL needs a lock that a second process starting at the
    # same moment may hold. WAL lets readers and one writer work at once; busy_timeout makes
    # concurrent writers wait instead of failing with "database is locked"; synchronous=NORMAL
    # is WAL's safe setting (a power cut may lose the last commits, never corrupt the file) and
    # spares an fsync per ack.
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
