"""The durable answering queue's rows: questions acknowledged and not yet answered (issue 18).

A part of Store. A question is written, with its event id claimed, in one transaction before the
acknowledgement goes out, held by the process that received it for a lease; the row is deleted
once Slack has accepted the answer. A row whose lease ran out (its process died) is free again:
any instance takes the oldest free row (PostgreSQL: picked `FOR UPDATE SKIP LOCKED`, so instances
never wait on each other; SQLite: one UPDATE, which SQLite runs one writer at a time).

Questions are written in groups (group commit): the first write to run takes every question
waiting for its acknowledgement and writes them all in one transaction of a few statements, and
the calls whose questions it wrote find them written. Under a burst the acknowledgements otherwise
queue up, one transaction each, behind SQLite's single writer (where the answers' writes then
starved until they timed out), and one transaction for twenty questions costs little more than
one (on PostgreSQL: round trips saved). A transaction that fails fails its whole group: each of
its questions is answered from memory, as when the database does not answer in time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from .engines import insert_for
from .guard import StoreUnavailable
from .schema import answer_queue, answers, replies, seen_events, threads

q = answer_queue.c


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Taken:
    """A row taken for answering: its id, the question (JSON) and how often it was taken before."""

    id: int
    question: str
    attempts: int


def _free(now: dt.datetime) -> Any:
    return or_(q.claimed_until.is_(None), q.claimed_until < now)


@dataclass(eq=False)
class _Arrival:
    """A question waiting to be written with the next group, and what became of it."""

    event_id: str
    question: str
    owner: str
    lease: float
    thread_key: str | None
    written: threading.Event = field(default_factory=threading.Event)  # set once tried, or given up
    job: int | None = None
    error: BaseException | None = None


class QueueStore:
    """Mixed into Store, which provides `engine`, `bounded` (the deadline-bounded call) and
    `_maybe_purge`, and calls `__init__`."""

    engine: Engine
    bounded: Callable[..., Any]
    _maybe_purge: Callable[[], None]

    def __init__(self) -> None:
        self._arrivals: list[_Arrival] = []  # questions whose acknowledgement waits for the next group
        self._arrivals_lock = threading.Lock()

    def enqueue(
        self, event_id: str, question: str, owner: str, lease: float, deadline: float, thread_key: str | None = None
    ) -> int | None:
        """Keep an acknowledged question until it is answered, held by `owner` for `lease` seconds,
        and claim its event id, at once: the row's id, or None for an event seen before (Slack's
        retry) or, with `thread_key`, a reply in a thread the bot did not answer in lately.
        StoreUnavailable after `deadline` seconds."""
        arrival = _Arrival(event_id[:100], question, owner[:100], lease, thread_key and thread_key[:100])
        with self._arrivals_lock:
            self._arrivals.append(arrival)

        def write() -> int | None:
            with self._arrivals_lock:
                group, self._arrivals = self._arrivals, []
            if group:
                self._write_group(group)
            arrival.written.wait()  # written by this call, or by one that ran before it (or on another thread)
            if arrival.error is not None:
                raise arrival.error
            return arrival.job

        try:
            return self.bounded(write, deadline)
        except BaseException:
            with self._arrivals_lock:
                if arrival in self._arrivals:  # not taken into a group: it is never written
                    self._arrivals.remove(arrival)
                    # its call, if it runs late, neither writes nor tells the guard the database works
                    arrival.error = StoreUnavailable("given up before it was written")
                    arrival.written.set()
            raise

    def _write_group(self, group: list[_Arrival]) -> None:
        """Write a group of questions in one transaction; each one's row id (or None) or the error."""
        try:
            with self.engine.begin() as conn:
                self._keep(conn, group, _now())
        except BaseException as exc:  # nothing of the group was kept: each caller learns why
            for arrival in group:
                arrival.error = exc
            raise
        finally:
            for arrival in group:
                arrival.written.set()

    def _keep(self, conn: Connection, group: list[_Arrival], now: dt.datetime) -> None:
        """Each question of the group kept, and its event claimed, unless its event was seen or its
        thread is not the bot's: a few statements for the whole group (each costs a round trip to a
        server database, more than the rows do)."""
        keys = {arrival.thread_key for arrival in group if arrival.thread_key is not None}
        open_: set[str] = set()
        if keys:
            in_threads = select(threads.c.thread_key).where(threads.c.thread_key.in_(keys), threads.c.expires_at > now)
            open_ = set(conn.execute(in_threads).scalars())
        first: dict[str, _Arrival] = {}  # an event twice in one group (Slack's retry) is kept once
        for arrival in group:
            if arrival.thread_key is None or arrival.thread_key in open_:
                first.setdefault(arrival.event_id, arrival)
        if not first:
            return
        # ON CONFLICT DO NOTHING, not an IntegrityError: a retry must not undo the rest of its group.
        claim = insert_for(self.engine, seen_events).on_conflict_do_nothing().returning(seen_events.c.event_id)
        claimed = set(conn.execute(claim, [{"event_id": e, "created_at": now} for e in first]).scalars())
        new = [arrival for event_id, arrival in first.items() if event_id in claimed]
        if not new:
            return
        rows = [
            {
                "question": a.question,
                "created_at": now,
                "owner": a.owner,
                "claimed_until": now + dt.timedelta(seconds=a.lease),
                "attempts": 1,
            }
            for a in new
        ]
        ids = conn.execute(insert(answer_queue).returning(q.id, sort_by_parameter_order=True), rows).scalars()
        for arrival, job in zip(new, ids, strict=True):
            arrival.job = int(job)

    def take(self, owner: str, lease: float) -> Taken | None:
        """The oldest question no live worker holds, now held by `owner` for `lease` seconds; None
        when there is none."""

        def write() -> Taken | None:
            now = _now()
            pick = select(q.id).where(_free(now)).order_by(q.id).limit(1)
            if self.engine.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            with self.engine.begin() as conn:
                row = conn.execute(
                    update(answer_queue)
                    .where(q.id == pick.scalar_subquery(), _free(now))
                    .values(owner=owner[:100], claimed_until=now + dt.timedelta(seconds=lease), attempts=q.attempts + 1)
                    .returning(q.id, q.question, q.attempts)
                ).first()
            return Taken(row.id, row.question, row.attempts - 1) if row else None

        return self.bounded(write)

    def hold(self, job_id: int, owner: str, lease: float) -> bool:
        """Renew the lease on a question `owner` received and has not let go: False when its lease
        ran out and it was taken since (by any instance), or it is gone."""

        def write() -> bool:
            until = _now() + dt.timedelta(seconds=lease)
            with self.engine.begin() as conn:
                mine = (q.id == job_id) & (q.owner == owner[:100]) & (q.attempts == 1)
                return bool(conn.execute(update(answer_queue).where(mine).values(claimed_until=until)).rowcount)

        return self.bounded(write)

    def claimed_unposted(self, message_key: str, job_id: int) -> bool:
        """Did this queue row claim the message, and no answer to it was posted (its worker died)?"""

        def read() -> bool:
            mine = (replies.c.message_key == message_key) & (replies.c.claimed_by == str(job_id))
            unposted = select(replies.c.message_key).where(mine, replies.c.reply_ts.is_(None))
            with self.engine.connect() as conn:
                return conn.execute(unposted).first() is not None

        return self.bounded(read)

    def done(self, job_id: int) -> None:
        """The question is answered (or given up): its row, and the text in it, go."""

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(delete(answer_queue).where(q.id == job_id))

        self.bounded(write)

    def answered(self, job_id: int, reply_key: str, reply_ts: str, topic_id: str, surface: str, team: str) -> None:
        """Slack took row `job_id`'s answer: where it went (for later edits), its statistics and the
        row's deletion in one transaction, not three (each a turn at SQLite's one writer, or round
        trips to PostgreSQL, that the acknowledgements of a burst wait behind)."""

        def write() -> None:
            with self.engine.begin() as conn:
                if reply_ts:
                    spent = replies.c.message_key == reply_key[:100]
                    conn.execute(update(replies).where(spent).values(reply_ts=reply_ts[:40], claimed_by=None))
                row = {"topic_id": topic_id, "surface": surface, "team": team, "created_at": _now()}
                conn.execute(insert(answers).values(**row))
                conn.execute(delete(answer_queue).where(q.id == job_id))

        self.bounded(write)
        self._maybe_purge()

    def free_questions(self) -> int:
        """How many questions wait for a worker (never taken, or their lease ran out)."""

        def read() -> int:
            with self.engine.connect() as conn:
                free = select(func.count()).select_from(answer_queue).where(_free(_now()))
                return int(conn.execute(free).scalar_one())

        return self.bounded(read)

    def holders(self) -> list[str]:
        """The owners holding a lease now."""

        def read() -> list[str]:
            with self.engine.connect() as conn:
                return [r[0] for r in conn.execute(select(q.owner).where(~_free(_now())).distinct()) if r[0]]

        return self.bounded(read)

    def release(self, owners: list[str]) -> None:
        """End the leases of owners known to be dead, so their questions are taken at once."""
        if not owners:
            return

        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(update(answer_queue).where(q.owner.in_(owners)).values(claimed_until=None))

        self.bounded(write)
