"""What the bot remembers: seen Slack events, questions answered, answers given, feedback, gaps
(and, in conversation.py, threads answered in and escalations; in readers.py, how each reader
wants answers).

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
import hashlib
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..config import env_number
from ..core.privacy import redact
from ..errors import ConfigurationError
from .conversation import ConversationStore
from .engines import database_label, database_url, sqlite_file, store_engine, upgrade_schema
from .guard import Guard, StoreUnavailable, error_kind
from .jobs import QueueStore, Taken
from .readers import ReaderStore
from .schema import (
    TABLES,
    VERDICTS,
    answers,
    escalations,
    feedback,
    gaps,
    metadata,
    reminders,
    replies,
    seen_events,
    threads,
)

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


class Revision(Enum):
    """What an edit to a question means for the bot's answer to it."""

    UNKNOWN = "unknown"  # no answer to this message on record
    KEEP = "keep"  # same verdict, an older edit, or the answer is still being posted
    UPDATE = "update"  # the verdict changed: update the answer


def _ts_order(ts: str) -> tuple[int, int]:
    """Slack timestamps ("1700000000.000100") in time order; anything else sorts first."""
    seconds, _, micros = ts.partition(".")
    return (int(seconds), int(micros or 0)) if seconds.isdigit() and (micros or "0").isdigit() else (-1, -1)


T = TypeVar("T")


class StoreError(ConfigurationError):
    """The database settings are wrong or the database cannot be reached."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def vote_key(team: str, message: str, user: str) -> str:
    return hashlib.sha256(f"{team}\x1f{message}\x1f{user}".encode()).hexdigest()


@dataclass(frozen=True)
class TopicStats:
    topic_id: str
    answers: int
    helpful: int
    not_helpful: int


class Store(ConversationStore, QueueStore, ReaderStore):
    """Thread-safe; one per process. Several processes may share one PostgreSQL database."""

    def __init__(self, url: str, retention_days: int = DEFAULT_RETENTION_DAYS, timeout: float | None = DEFAULT_TIMEOUT):
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

    def claim_event(self, event_id: str) -> bool:
        """True the first time an event id is seen, in any instance sharing the database.
        Raises StoreUnavailable when the database fails or does not answer in time."""
        return self._claim(insert(seen_events).values(event_id=event_id[:100], created_at=_now()))

    def claim_message(self, key: str, version: str, verdict: str, job: int | None = None) -> bool:
        """True the first time a question message is claimed for answering, in any instance; also
        for the same answering-queue `job` again while nothing is posted (its worker died before
        the post). Raises StoreUnavailable when the database fails or does not answer in time."""
        row = insert(replies).values(
            message_key=key[:100],
            version=version[:40],
            verdict=verdict,
            created_at=_now(),
            claimed_by=None if job is None else str(job),
        )
        return self._claim(row) or (job is not None and self.claimed_unposted(key[:100], job))

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

    def set_reply(self, key: str, reply_ts: str) -> None:
        """Remember where the answer to a claimed message went, for later edits."""

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(replies).where(replies.c.message_key == key[:100]).values(reply_ts=reply_ts[:40]))

        self.bounded(write)

    def revise(self, key: str, version: str, verdict: str) -> tuple[Revision, str | None]:
        """An edit (`version` = its edited ts) with this verdict: keep or update the answer (its ts)?

        Edits apply in time order and each once, also when they reach several instances at once.
        """
        return self.bounded(partial(self._revise, key[:100], version, verdict))

    def _revise(self, key: str, version: str, verdict: str) -> tuple[Revision, str | None]:
        for _ in range(3):
            with self.engine.connect() as conn:
                row = conn.execute(select(replies).where(replies.c.message_key == key)).first()
            if row is None:
                return Revision.UNKNOWN, None
            if not row.reply_ts or _ts_order(version) <= _ts_order(row.version):
                return Revision.KEEP, None
            with self.engine.begin() as conn:
                changed = conn.execute(
                    update(replies)
                    .where(replies.c.message_key == key, replies.c.version == row.version)
                    .values(version=version[:40], verdict=verdict)
                ).rowcount
            if changed:
                return (Revision.UPDATE, row.reply_ts) if verdict != row.verdict else (Revision.KEEP, None)
        return Revision.KEEP, None

    def record_answer(self, topic_id: str, surface: str, team: str = "") -> None:
        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(insert(answers).values(topic_id=topic_id, surface=surface, team=team, created_at=_now()))

        self.bounded(write)
        self._maybe_purge()

    def record_feedback(
        self, key: str, topic_id: str, verdict: str, surface: str, team: str = "", pressed_at: dt.datetime | None = None
    ) -> None:
        """Record a press; a later press with the same key replaces an earlier one, whatever order
        the answering queue writes them in (`pressed_at`: when the press arrived)."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        at = pressed_at or _now()
        row = {"topic_id": topic_id, "verdict": verdict, "surface": surface, "team": team, "created_at": at}

        def write() -> None:
            for _ in range(3):  # two presses racing: one inserts, the other updates
                with self.engine.begin() as conn:
                    newer_or_none = conn.execute(
                        update(feedback).where(feedback.c.vote_key == key, feedback.c.created_at <= at).values(**row)
                    ).rowcount
                    if newer_or_none:
                        return
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(feedback).values(vote_key=key, **row))
                    return
                except IntegrityError:  # a row exists: a later press (keep it), or one racing in
                    continue

        self.bounded(write)

    def record_gap(self, status: str, question: str, team: str = "") -> None:
        """Store an unanswered question: the caller passes it as core.privacy.known_words_only made it
        (Engine.gap), and it is redacted again here, so raw text can never reach the table."""
        text = redact(" ".join(question.split()))[:600]

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(insert(gaps).values(status=status, text=text, team=team, created_at=_now()))

        self.bounded(write)
        self._maybe_purge()

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete records older than the retention period; return how many went."""
        now = now or _now()
        cutoff = now - dt.timedelta(days=self.retention_days)
        # Slack retries within minutes; a day of event ids is plenty to recognise them. An edit
        # after a day finds no answer on record (see nms_bot/slack/questions.py).
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

    def claim_reminders(self, owner: str, keys: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """Of (topic, reason, period) keys for one owner, those no instance has sent yet, now claimed
        by this caller: each is returned to exactly one caller, ever."""
        for _ in range(3):  # another instance inserting the same rows: look again
            with self.engine.connect() as conn:
                sent = {
                    tuple(r)
                    for r in conn.execute(
                        select(reminders.c.topic_id, reminders.c.reason, reminders.c.period).where(
                            reminders.c.owner_id == owner
                        )
                    )
                }
            new = [k for k in dict.fromkeys(keys) if k not in sent]
            if not new:
                return []
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(reminders),
                        [
                            {"owner_id": owner, "topic_id": t, "reason": r, "period": p, "created_at": _now()}
                            for t, r, p in new
                        ],
                    )
                return new
            except IntegrityError:
                continue
        return []

    def release_reminders(self, owner: str, keys: list[tuple[str, str, str]]) -> None:
        """Give claimed reminders back (sending failed), so the next daily check tries again."""
        with self.engine.begin() as conn:
            for t, r, p in keys:
                conn.execute(
                    delete(reminders).where(
                        (reminders.c.owner_id == owner)
                        & (reminders.c.topic_id == t)
                        & (reminders.c.reason == r)
                        & (reminders.c.period == p)
                    )
                )

    def topic_stats(self, since: dt.datetime) -> list[TopicStats]:
        with self.engine.connect() as conn:
            given = dict(
                conn.execute(
                    select(answers.c.topic_id, func.count())
                    .where(answers.c.created_at >= since)
                    .group_by(answers.c.topic_id)
                ).all()
            )
            votes: dict[str, dict[str, int]] = {}
            for topic_id, verdict, n in conn.execute(
                select(feedback.c.topic_id, feedback.c.verdict, func.count())
                .where(feedback.c.created_at >= since)
                .group_by(feedback.c.topic_id, feedback.c.verdict)
            ):
                votes.setdefault(topic_id, {})[verdict] = n
        ids = sorted(set(given) | set(votes), key=lambda t: (-given.get(t, 0), t))
        return [
            TopicStats(t, given.get(t, 0), votes.get(t, {}).get("helpful", 0), votes.get(t, {}).get("not_helpful", 0))
            for t in ids
        ]

    def top_gaps(self, since: dt.datetime, limit: int = 20) -> list[tuple[str, str, int]]:
        """(redacted text, status, count), most frequent first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(gaps.c.text, gaps.c.status, func.count().label("n"))
                .where(gaps.c.created_at >= since)
                .group_by(gaps.c.text, gaps.c.status)
                .order_by(func.count().desc(), gaps.c.text)
                .limit(limit)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def table_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored row, for tests and audits of what is kept."""
        with self.engine.connect() as conn:
            return {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in TABLES}
