"""The tables: what is kept, and for how long (see Store.purge). Never question text or user ids."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table

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
VERDICTS = ("helpful", "not_helpful")
