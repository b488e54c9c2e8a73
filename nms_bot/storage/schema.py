"""The tables (what is kept, and for how long: see Store.purge; never question text or user ids),
and creating them safely when several processes start at the same moment."""

from __future__ import annotations

import time

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateIndex, CreateTable

# Any constant: PostgreSQL advisory locks are named by a number.
SCHEMA_LOCK = 0x6E6D7362

metadata = MetaData()
seen_events = Table(
    "nms_seen_events", metadata,
    Column("event_id", String(100), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per question message (channel and ts), so that it is answered once by any instance,
# and an edit can find the answer to update. No text: a hash of the verdict.
replies = Table(
    "nms_replies", metadata,
    Column("message_key", String(100), primary_key=True),
    Column("version", String(40), nullable=False),  # ts of the text answered: the message's or its last edit's
    Column("verdict", String(64), nullable=False),
    Column("reply_ts", String(40)),  # the bot's answer, once posted
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
answers = Table(
    "nms_answers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic_id", String(100), nullable=False),
    Column("surface", String(20), nullable=False),
    Column("team", String(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
feedback = Table(
    "nms_feedback", metadata,
    # sha256 of (workspace, message, user): one vote per user per answer, no user id kept
    Column("vote_key", String(64), primary_key=True),
    Column("topic_id", String(100), nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("surface", String(20), nullable=False),
    Column("team", String(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
gaps = Table(
    "nms_gaps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("status", String(20), nullable=False),
    Column("text", String(600), nullable=False),
    Column("team", String(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per review reminder sent: owner (a Slack user id from the knowledge files), topic,
# why (changed | overdue) and the period it is about (the approved fingerprint, or the due date).
# Instances sharing the database claim a row before sending, so each reminder goes out once.
reminders = Table(
    "nms_reminders", metadata,
    Column("owner_id", String(40), primary_key=True),
    Column("topic_id", String(100), primary_key=True),
    Column("reason", String(20), primary_key=True),
    Column("period", String(80), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
# Channel threads the bot answered in (channel:thread_ts), so that a person's later reply there
# is taken as a follow-up question, by any instance, until `expires_at` (NMS_THREAD_HOURS).
threads = Table(
    "nms_threads", metadata,
    Column("thread_key", String(100), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per "Ask a colleague" press, for the report's counts and so that a second press sends
# nothing twice: sha256 of (workspace, message, user) as in nms_feedback, and the topic shown
# ("" when the bot had no answer). No question text, no user or channel id.
escalations = Table(
    "nms_escalations", metadata,
    Column("escalation_key", String(64), primary_key=True),
    Column("topic_id", String(100), nullable=False, default=""),
    Column("team", String(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
VERDICTS = ("helpful", "not_helpful")
TABLES = (seen_events, replies, answers, feedback, gaps, reminders, threads, escalations)


def create_schema(engine: Engine, patience: float = 10.0) -> None:
    """`_create_schema`, retried while another SQLite process holds the lock it needs: switching
    a fresh file to WAL and creating tables can meet SQLITE_BUSY at once, without the busy
    timeout being waited (SQLite's way out of a deadlock between two writers)."""
    deadline = time.monotonic() + patience
    pause = 0.02
    while True:
        try:
            _create_schema(engine)
            return
        except OperationalError as exc:
            busy = getattr(exc.orig, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _create_schema(engine: Engine) -> None:
    """Create what is missing. Only reads when nothing is (so a read-only database opens, and
    the start-up write check can say what is wrong). `IF NOT EXISTS` lets a second process
    starting at the same moment find the tables made (SQLite serialises the statements);
    PostgreSQL can still collide inside its catalogue on concurrent CREATEs, so there the work
    happens under an advisory lock."""
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
    if all(t.name in present for t in TABLES):
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        for table in TABLES:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                conn.execute(CreateIndex(index, if_not_exists=True))
