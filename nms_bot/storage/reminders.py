"""Review reminders sent: each (owner, topic, reason, period) claimed by exactly one instance, ever,
and given back when sending failed. A part of Store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .schema import reminders


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ReminderStore:
    """Mixed into Store, which provides `engine`."""

    engine: Engine

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
