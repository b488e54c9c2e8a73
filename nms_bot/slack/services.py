"""What every listener needs: the live knowledge, the store, and how to answer and record."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from ..core.engine import Engine
from ..core.live import LiveEngine
from ..core.privacy import looks_identifying
from ..core.render import Answer
from ..storage.store import Store
from .blocks import answer_message

log = logging.getLogger("nms_bot.slack")
SURFACES = ("mention", "dm", "command")


@dataclass(frozen=True)
class Reply:
    """A reply ready to send, and its verdict: what an edit must change before the reply is updated."""

    answer: Answer
    message: dict[str, Any]
    verdict: str


def verdict(answer: Answer, phi_reminder: bool) -> str:
    """A hash of what the reply says (topic, suggestions or decline, identifier reminder), not of its text."""
    parts = (answer.status, answer.topic.id if answer.topic else "", ",".join(t.id for t, _ in answer.suggestions),
             answer.reason, "|".join(answer.scope or ()), "phi" if phi_reminder else "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Services:
    live: LiveEngine
    store: Store
    record_gaps: bool = False

    @property
    def engine(self) -> Engine:
        return self.live.current

    def reply(self, question: str, surface: str, team: str, *, share: bool = False) -> dict[str, Any]:
        """Answer a question as typed and record what may be recorded; returns text + blocks."""
        reply = self.prepare(question, surface, share=share)
        self.record(reply.answer, surface, team)
        return reply.message

    def prepare(self, question: str, surface: str, *, share: bool = False) -> Reply:
        """The reply to a question as typed, not yet recorded."""
        answer = self.engine.ask(question)
        phi = looks_identifying(question)
        return Reply(answer, answer_message(answer, surface, share=share, phi_reminder=phi), verdict(answer, phi))

    def show(self, topic_id: str, surface: str, team: str, *, share: bool = False) -> dict[str, Any] | None:
        """One topic by id (`/nms dantrolene`, a topic button), recorded; None if there is none."""
        answer = self.engine.show(topic_id)
        if answer is None:
            return None
        self.record(answer, surface, team)
        return answer_message(answer, surface, share=share)

    def record(self, answer: Answer, surface: str, team: str) -> None:
        # Bookkeeping must never cost the clinician the answer.
        try:
            if answer.topic:
                self.store.record_answer(answer.topic.id, surface, team)
            elif self.record_gaps and answer.reason != "greeting":
                self.store.record_gap(answer.status, answer.question, team)
        except Exception as exc:
            log.error("could not record answer statistics: %s", type(exc).__name__)

    def first_delivery(self, body: dict[str, Any]) -> bool:
        """False for an event already handled here or by another instance sharing the store.

        Slack retries an event it thinks went unanswered (X-Slack-Retry-Num) and Socket Mode
        redelivers; both keep the event_id. Listeners check this after the automatic ack, so
        the database write stays off the 3-second path.
        """
        event_id = body.get("event_id")
        if not event_id:
            return True
        try:
            return self.store.claim_event(str(event_id))
        except Exception as exc:  # without the database, answering twice beats not answering
            log.error("event de-duplication unavailable: %s", type(exc).__name__)
            return True
