"""The tables as the code queries them (what is kept, and for how long: see Store.purge; never
question text but in the answering queue, until the question is answered). The database gets
them through the migrations in nms_bot/storage/migrations: change a table here and add a
migration there (its __init__ says how)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator, TypeEngine


class Clipped(TypeDecorator[str]):
    """A String(n) column that takes any text: cut to n characters, and a character UTF-8 cannot
    encode (a lone surrogate) replaced, before it is written or compared. PostgreSQL refuses a
    value longer than its column and no driver encodes a surrogate; Slack's ids are far shorter,
    so a value that does not fit was never Slack's own."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        text = str(value)[: self.impl.length]
        if not text.isascii():
            text = text.encode("utf-8", "replace").decode("utf-8")
        return text


metadata = MetaData()
seen_events = Table(
    "nms_seen_events",
    metadata,
    Column("event_id", Clipped(100), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per question message (channel and ts), so that it is answered once by any instance,
# and an edit can find the answer to update. No text: a hash of the verdict.
replies = Table(
    "nms_replies",
    metadata,
    Column("message_key", Clipped(100), primary_key=True),
    Column("version", Clipped(40), nullable=False),  # ts of the text answered: the message's or its last edit's
    Column("verdict", Clipped(64), nullable=False),
    Column("reply_ts", Clipped(40)),  # the bot's answer, once posted
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    # The answering-queue row (nms_answer_queue.id) whose work on the message Slack has not yet
    # accepted: the claim, until the answer is posted; then an edit's update, until chat.update is
    # accepted. That row taken again after a crash goes on with it (NULL: nothing under way, or
    # from memory).
    Column("claimed_by", String(40)),
)
answers = Table(
    "nms_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic_id", Clipped(100), nullable=False),
    Column("surface", Clipped(20), nullable=False),
    Column("team", Clipped(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
feedback = Table(
    "nms_feedback",
    metadata,
    # sha256 of (workspace, message, user): one vote per user per answer, no user id kept
    Column("vote_key", Clipped(64), primary_key=True),
    Column("topic_id", Clipped(100), nullable=False),
    Column("verdict", Clipped(20), nullable=False),
    Column("surface", Clipped(20), nullable=False),
    Column("team", Clipped(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
gaps = Table(
    "nms_gaps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("status", Clipped(20), nullable=False),
    Column("text", Clipped(600), nullable=False),
    Column("team", Clipped(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per review reminder sent: owner (a Slack user id from the knowledge files), topic,
# why (changed | overdue) and the period it is about (the approved fingerprint, or the due date).
# Instances sharing the database claim a row before sending, so each reminder goes out once.
reminders = Table(
    "nms_reminders",
    metadata,
    Column("owner_id", Clipped(40), primary_key=True),
    Column("topic_id", Clipped(100), primary_key=True),
    Column("reason", Clipped(20), primary_key=True),
    Column("period", Clipped(80), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
# Channel threads the bot answered in (channel:thread_ts), so that a person's later reply there
# is taken as a follow-up question, by any instance, until `expires_at` (NMS_THREAD_HOURS).
threads = Table(
    "nms_threads",
    metadata,
    Column("thread_key", Clipped(100), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
# One row per "Ask a colleague" press, for the report's counts and so that a second press sends
# nothing twice: sha256 of (workspace, message, user) as in nms_feedback, and the topic shown
# ("" when the bot had no answer). No question text, no user or channel id.
escalations = Table(
    "nms_escalations",
    metadata,
    Column("escalation_key", Clipped(64), primary_key=True),
    Column("topic_id", Clipped(100), nullable=False, default=""),
    Column("team", Clipped(40), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
# How each reader wants answers (core/forms.py), chosen in App Home or with `/nms settings`: the
# Slack user id and the choice only. A reader back at the defaults has no row.
reader_preferences = Table(
    "nms_reader_preferences",
    metadata,
    Column("user_id", Clipped(40), primary_key=True),
    Column("length", String(10), nullable=False),  # full | brief
    Column("abbreviations", String(20), nullable=False),  # short | spelled_out
)
# Questions acknowledged and not yet answered (the durable answering queue): written as the ack
# goes out, taken by one worker at a time for a lease (`claimed_until`, `owner` host:pid), and
# deleted once Slack has accepted the answer. `question` (JSON) holds the question's text, which
# answering needs: the one table that keeps text, and only until the question is answered.
answer_queue = Table(
    "nms_answer_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("owner", String(100)),
    Column("claimed_until", DateTime(timezone=True), index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
VERDICTS = ("helpful", "not_helpful")
TABLES = (
    seen_events,
    replies,
    answers,
    feedback,
    gaps,
    reminders,
    threads,
    escalations,
    answer_queue,
    reader_preferences,
)


def installation_tables(meta: MetaData, secret: TypeEngine | None = None) -> tuple[Table, Table, Table]:
    """Slack installations, bots and OAuth state (OAuth mode). `secret` is the type of the token
    columns: the installation store passes one that encrypts (nms_bot/slack/workspaces/installations.py);
    the columns themselves are text."""
    secret = secret if secret is not None else Text()

    def who() -> list[Column]:
        return [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("client_id", String(32), nullable=False),
            Column("app_id", String(32), nullable=False),
            Column("enterprise_id", String(32)),
            Column("enterprise_name", String(200)),
            Column("team_id", String(32)),
            Column("team_name", String(200)),
        ]

    def bot() -> list[Column]:
        return [
            Column("bot_token", secret),
            Column("bot_id", String(32)),
            Column("bot_user_id", String(32)),
            Column("bot_scopes", String(1000)),
            Column("bot_refresh_token", secret),
            Column("bot_token_expires_at", DateTime),
        ]

    installations = Table(
        "nms_slack_installations",
        meta,
        *who(),
        Column("enterprise_url", String(200)),
        *bot(),
        Column("user_id", String(32), nullable=False),
        Column("user_token", secret),
        Column("user_scopes", String(1000)),
        Column("user_refresh_token", secret),
        Column("user_token_expires_at", DateTime),
        Column("incoming_webhook_url", secret),  # a webhook URL lets anyone post: as secret as a token
        Column("incoming_webhook_channel", String(200)),
        Column("incoming_webhook_channel_id", String(200)),
        Column("incoming_webhook_configuration_url", String(200)),
        Column("is_enterprise_install", Boolean, nullable=False),
        Column("token_type", String(32)),
        Column("installed_at", DateTime, nullable=False),
        Index("ix_nms_slack_installations_lookup", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
    )
    bots = Table(
        "nms_slack_bots",
        meta,
        *who(),
        *bot(),
        Column("is_enterprise_install", Boolean, nullable=False),
        Column("installed_at", DateTime, nullable=False),
        Index("ix_nms_slack_bots_lookup", "client_id", "enterprise_id", "team_id", "installed_at"),
    )
    states = Table(
        "nms_slack_oauth_states",
        meta,
        Column("state", String(200), primary_key=True),
        Column("expire_at", DateTime, nullable=False),
    )
    return installations, bots, states


installations, bots, oauth_states = installation_tables(metadata)
