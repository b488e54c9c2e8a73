"""What the bot answered: seen Slack events and question messages claimed (each answered once, in
any instance), where each answer went, and edits to questions. A part of Store; every call goes
through its Guard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from .schema import replies, seen_events


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Revision(Enum):
    """What an edit to a question means for the bot's answer to it."""

    UNKNOWN = "unknown"  # no answer to this message on record
    KEEP = "keep"  # same verdict, an older edit, or the answer is still being posted
    UPDATE = "update"  # the verdict changed: update the answer


def _ts_order(ts: str) -> tuple[int, int]:
    """Slack timestamps ("1700000000.000100") in time order; anything else sorts first."""
    seconds, _, micros = ts.partition(".")
    return (int(seconds), int(micros or 0)) if seconds.isdigit() and (micros or "0").isdigit() else (-1, -1)


class ReplyStore:
    """Mixed into Store, which provides `engine`, `bounded` (the deadline-bounded call), `_claim` and
    (from QueueStore) `claimed_unposted`."""

    engine: Engine
    bounded: Callable[..., Any]
    _claim: Callable[[Any], bool]
    claimed_unposted: Callable[[str, int], bool]

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

    def set_reply(self, key: str, reply_ts: str) -> None:
        """Remember where the answer to a claimed message went, for later edits; the claim is
        spent (an answering-queue row named in `claimed_by` from now on is an edit's)."""

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(
                    update(replies)
                    .where(replies.c.message_key == key[:100])
                    .values(reply_ts=reply_ts[:40], claimed_by=None)
                )

        self.bounded(write)

    def revised(self, key: str, job: int) -> None:
        """Slack accepted the chat.update of answering-queue row `job`'s edit: it is not done again."""

        def write() -> None:
            with self.engine.begin() as conn:
                mine = (replies.c.message_key == key[:100]) & (replies.c.claimed_by == str(job))
                conn.execute(update(replies).where(mine).values(claimed_by=None))

        self.bounded(write)

    def revise(self, key: str, version: str, verdict: str, job: int | None = None) -> tuple[Revision, str | None]:
        """An edit (`version` = its edited ts) with this verdict: keep or update the answer (its ts)?

        Edits apply in time order and each once, also when they reach several instances at once.
        `job`: the edit's answering-queue row. An update to make is recorded with it (`claimed_by`)
        until Slack accepts the chat.update (`revised`), so that the same row taken again after a
        crash updates the answer after all, and so does a later edit, whatever its verdict.
        """
        return self.bounded(partial(self._revise, key[:100], version, verdict, None if job is None else str(job)))

    def _revise(self, key: str, version: str, verdict: str, job: str | None) -> tuple[Revision, str | None]:
        for _ in range(3):
            with self.engine.connect() as conn:
                row = conn.execute(select(replies).where(replies.c.message_key == key)).first()
            if row is None:
                return Revision.UNKNOWN, None
            if not row.reply_ts:
                return Revision.KEEP, None
            if _ts_order(version) <= _ts_order(row.version):
                retaken = job is not None and row.claimed_by == job and version == row.version
                return (Revision.UPDATE, row.reply_ts) if retaken else (Revision.KEEP, None)
            # An earlier edit's update not yet accepted (its worker died) is made by this one.
            to_update = verdict != row.verdict or row.claimed_by is not None
            with self.engine.begin() as conn:
                changed = conn.execute(
                    update(replies)
                    .where(replies.c.message_key == key, replies.c.version == row.version)
                    .values(version=version[:40], verdict=verdict, claimed_by=job if to_update else None)
                ).rowcount
            if changed:
                return (Revision.UPDATE, row.reply_ts) if to_update else (Revision.KEEP, None)
        return Revision.KEEP, None
