"""What the bot remembers, in one Store made of parts: seen Slack events, questions answered and
edits to them (replies.py); answers given, feedback and gaps (stats.py); threads answered in and
escalations (conversation.py); review reminders sent (reminders.py); how each reader wants answers
(readers.py); the answering queue (jobs.py). This module opens the database, bounds every call
and purges what is past its retention.

SQLite by default (`NMS_DB`), PostgreSQL when `DATABASE_URL` is set so several instances share
it. SQLAlchemy Core speaks both dialects. Nothing here holds raw question text or a user's
name, but for the answering queue (jobs.py), which keeps a question only until it is answered:
feedback is keyed by a one-way hash, gaps are redacted before they arrive.

The bot's store (`timeout` set) bounds every call on the answering path: a locked, frozen or
unreachable database costs an answer at most `timeout` seconds, then the bot answers without
it (de-duplication and statistics are best effort). `nms-bot report` opens it without.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..config import env_number
from ..errors import ConfigurationError
from .conversation import ConversationStore
from .engines import database_label, database_url, sqlite_file, store_engine
from .guard import Guard, StoreUnavailable, error_kind
from .jobs import QueueStore, Taken
from .migrate import upgrade_schema
from .readers import ReaderStore
from .reminders import ReminderStore
from .replies import ReplyStore, Revision
from .schema import (
    TABLES,
    VERDICTS,
    answers,
    escalations,
    feedback,
    gaps,
    metadata,
    replies,
    seen_events,
    threads,
)
from .stats import StatsStore, TopicStats, vote_key

__all__ = [
    "VERDICTS",
    "Revision",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Taken",
    "TopicStats",
    "database_url",
    "metadata",
    "sqlite_file",
    "vote_key",
]

DEFAULT_RETENTION_DAYS = 90
DEFAULT_TIMEOUT = 2.0  # seconds a database call may cost an answer
PURGE_EVERY_SECONDS = 3600
SEEN_EVENTS_KEPT = dt.timedelta(days=1)

T = TypeVar("T")


class StoreError(ConfigurationError):
    """The database settings are wrong or the database cannot be reached."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Store(ConversationStore, QueueStore, ReaderStore, ReplyStore, StatsStore, ReminderStore):
    """Thread-safe; one per process. Several processes may share one PostgreSQL database."""

    def __init__(self, url: str, retention_days: int = DEFAULT_RETENTION_DAYS, timeout: float | None = DEFAULT_TIMEOUT):
        QueueStore.__init__(self)
        self.retention_days = retention_days
        self.setting = database_label(url)
        self.engine: Engine = store_engine(url, timeout)
        schema = upgrade_schema(url, self.setting, self.engine)
        self.revision, self.schema_upgrade = schema.revision, schema.done
        self._guard = Guard(timeout, self.setting, sqlite_file(url)) if timeout else None
        self._purge_lock = threading.Lock()
        self._last_purge = float("-inf")  # the first write purges (monotonic time may start near 0)
        self.closed = False

    @classmethod
    def from_env(cls, answering: bool = True) -> Store:
        """The store the environment names; StoreError says what to fix. `answering`: the bot's
        store, every call bounded by NMS_DB_TIMEOUT; else (reports) unbounded."""
        days = env_number("NMS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, 36500, "a whole number of days", whole=True)
        timeout = env_number("NMS_DB_TIMEOUT", DEFAULT_TIMEOUT, 0.1, 60, "a number of seconds")
        url = database_url()
        if not url.startswith(("sqlite", "postgresql")):
            raise StoreError(
                "DATABASE_URL must name a PostgreSQL database (postgres://user:password@host/db); "
                "leave it unset for SQLite (NMS_DB)"
            )
        try:
            return cls(url, int(days), timeout if answering else None)
        except ImportError:
            if url.startswith("sqlite"):
                raise
            raise StoreError(
                "DATABASE_URL names PostgreSQL but its driver is missing: pip install 'nms-bot[postgres]'"
            ) from None
        except SQLAlchemyError as exc:
            if url.startswith("sqlite"):
                raise StoreError(
                    f"cannot open the database named by NMS_DB ({error_kind(exc)}): check the "
                    "setting, and that the file and its folder exist and are writable"
                ) from None
            raise StoreError(
                f"cannot open the database named by DATABASE_URL ({error_kind(exc)}): "
                "check the setting and that the database is reachable"
            ) from None

    def check_writable(self) -> None:
        """Write and delete a row; StoreError in one line if the database refuses (a read-only
        file or folder, permissions, a full disk, a read-only replica)."""
        probe = "nms-bot:start-up write check"
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(seen_events).where(seen_events.c.event_id == probe))
                conn.execute(insert(seen_events).values(event_id=probe, created_at=_now()))
                conn.execute(delete(seen_events).where(seen_events.c.event_id == probe))
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot write to the database {self.setting} ({error_kind(exc)}): "
                "check that the file and its folder are writable, or the database user's "
                "rights"
            ) from None

    def close(self) -> None:
        self.closed = True
        if self._guard:
            self._guard.close()
        self.engine.dispose()

    def bounded(self, fn: Callable[[], T], deadline: float | None = None, *, read_only: bool = False) -> T:
        """`fn()` within the deadline of every database call on the answering path (the store's
        own and other parts', such as Slack installations), or a shorter `deadline`;
        StoreUnavailable when the database fails or stalls. `read_only`: see Guard.call."""
        return self._guard.call(fn, deadline, read_only=read_only) if self._guard else fn()

    def one_deadline(self) -> AbstractContextManager[None]:
        """A block (one answer) that a failing database holds up once: after the first failure or
        time-out in it, the block's further database calls fail at once (StoreUnavailable)."""
        return self._guard.scope() if self._guard else nullcontext()

    def _claim(self, row: Any) -> bool:
        """Insert a row keyed by what it claims: True for the one caller whose insert went in."""

        def claim() -> bool:
            try:
                with self.engine.begin() as conn:
                    conn.execute(row)
            except IntegrityError:
                return False
            return True

        claimed = self.bounded(claim)
        self._maybe_purge()
        return claimed

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete records older than the retention period; return how many went."""
        now = now or _now()
        cutoff = now - dt.timedelta(days=self.retention_days)
        # Slack retries within minutes; a day of event ids is plenty to recognise them. An edit
        # after a day finds no answer on record (see nms_bot/slack/delivery/questions.py).
        seen_cutoff = max(cutoff, now - SEEN_EVENTS_KEPT)
        removed = 0
        with self.engine.begin() as conn:
            for table in (seen_events, replies):
                removed += conn.execute(delete(table).where(table.c.created_at < seen_cutoff)).rowcount
            for table in (answers, feedback, gaps, escalations):
                removed += conn.execute(delete(table).where(table.c.created_at < cutoff)).rowcount
            removed += conn.execute(delete(threads).where(threads.c.expires_at < now)).rowcount
        return removed

    def _maybe_purge(self) -> None:
        if time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS:
            return
        with self._purge_lock:
            if time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS:
                return
            self._last_purge = time.monotonic()
        # Housekeeping never holds up an answer.
        if self._guard:
            self._guard.background(self.purge)
        else:
            self.purge()

    def table_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored row, for tests and audits of what is kept."""
        with self.engine.connect() as conn:
            return {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in TABLES}
