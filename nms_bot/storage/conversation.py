"""Where conversations continue: threads the bot answered in (for follow-ups) and "Ask a colleague"
presses (counted, sent once). A part of Store; every call goes through its Guard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from .engines import insert_for
from .schema import escalations, threads


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ConversationStore:
    """Mixed into Store, which provides `engine`, `bounded` (the deadline-bounded call) and `_claim`."""

    engine: Engine
    bounded: Callable[..., Any]
    _claim: Callable[[Any], bool]

    def remember_thread(self, key: str, hours: float) -> None:
        """The bot answered in this thread (channel:thread_ts): follow-ups there count for `hours`
        from now (a later answer extends it)."""
        until = _now() + dt.timedelta(hours=hours)

        def write() -> None:
            # One statement, also when two instances answer in one thread at once (a write saved per answer).
            row = insert_for(self.engine, threads).values(thread_key=key[:100], expires_at=until)
            upsert = row.on_conflict_do_update(index_elements=[threads.c.thread_key], set_={"expires_at": until})
            with self.engine.begin() as conn:
                conn.execute(upsert)

        self.bounded(write)

    def thread_open(self, key: str) -> bool:
        """True while a follow-up in this thread is to be answered (the bot answered there lately)."""

        def read() -> bool:
            with self.engine.connect() as conn:
                return (
                    conn.execute(
                        select(threads.c.thread_key).where(
                            threads.c.thread_key == key[:100], threads.c.expires_at > _now()
                        )
                    ).first()
                    is not None
                )

        return bool(self.bounded(read))

    def claim_escalation(self, key: str, topic_id: str, team: str = "") -> bool:
        """True the first time this person asks a colleague about this message (any instance)."""
        return self._claim(
            insert(escalations).values(escalation_key=key, topic_id=topic_id[:100], team=team[:40], created_at=_now())
        )

    def release_escalation(self, key: str) -> None:
        """Forget a claimed press whose message could not be sent, so pressing again retries it."""

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(delete(escalations).where(escalations.c.escalation_key == key))

        self.bounded(write)

    def escalation_counts(self, since: dt.datetime) -> dict[str, int]:
        """Presses per topic id since `since` ("" for questions the bot had no answer to)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(escalations.c.topic_id, func.count())
                .where(escalations.c.created_at >= since)
                .group_by(escalations.c.topic_id)
            ).all()
        return {r[0]: r[1] for r in rows}
