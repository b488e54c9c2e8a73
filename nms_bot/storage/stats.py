"""What the statistics count: answers given, feedback pressed (keyed by a one-way hash) and gaps
(redacted before and again when they arrive). A part of Store; every call goes through its Guard."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ..core.privacy import redact
from .schema import VERDICTS, answers, feedback, gaps


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


class StatsStore:
    """Mixed into Store, which provides `engine`, `bounded` (the deadline-bounded call) and
    `_maybe_purge`."""

    engine: Engine
    bounded: Callable[..., Any]
    _maybe_purge: Callable[[], None]

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
