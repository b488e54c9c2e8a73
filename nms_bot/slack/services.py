"""What every listener needs: the live knowledge, the store, the answering queue, and how to
answer, send and record."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.webhook import WebhookClient

from ..core.engine import Engine
from ..core.live import LiveEngine
from ..core.privacy import looks_identifying
from ..core.render import Answer
from ..storage.store import Store, StoreUnavailable
from .answering import AnswerQueue, Job
from .blocks import answer_message
from .metrics import Metrics
from .retry import retry_handlers

log = logging.getLogger("nms_bot.slack")
SURFACES = ("mention", "dm", "command")
Message = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A reply ready to send, and its verdict: what an edit must change before the reply is updated."""

    answer: Answer
    message: Message
    verdict: str


def verdict(answer: Answer, phi_reminder: bool) -> str:
    """A hash of what the reply says (topic, suggestions or decline, identifier reminder), not of its text."""
    parts = (answer.status, answer.topic.id if answer.topic else "", ",".join(t.id for t, _ in answer.suggestions),
             answer.reason, "|".join(answer.scope or ()), "phi" if phi_reminder else "")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Services:
    """Shared by every listener. Nothing here touches the network or the database on the
    acknowledgement path: that work goes to `answers`, the answering queue."""

    live: LiveEngine
    store: Store
    record_gaps: bool = False
    answers: AnswerQueue = field(default_factory=AnswerQueue)
    metrics: Metrics = field(default_factory=Metrics)
    installations: Any = None  # many-workspaces mode: the DatabaseInstallationStore

    def __post_init__(self) -> None:
        self.metrics.watch_queue(self.answers.backlog)
        self.metrics.knowledge_version(self.live.current.knowledge.version)
        self.live.on_reload = self.metrics.reloaded

    @property
    def engine(self) -> Engine:
        return self.live.current

    def later(self, job: Job) -> None:
        """Queue answering work (Web API calls, database writes) to run after the ack."""
        if not self.answers.submit(job):
            log.warning("shutting down: a job arrived after the answering queue closed")

    def reply(self, question: str, surface: str, *, share: bool = False) -> Reply:
        """The reply to a question as typed (matching is sub-millisecond), not yet recorded."""
        started = time.perf_counter()
        answer = self.engine.ask(question)
        self.metrics.matching.observe(time.perf_counter() - started)
        self.metrics.question(surface, answer)
        phi = looks_identifying(question)
        return Reply(answer, answer_message(answer, surface, share=share, phi_reminder=phi), verdict(answer, phi))

    def show(self, topic_id: str, surface: str, *, share: bool = False) -> Reply | None:
        """One topic by id (`/nms dantrolene`, a topic button); None if there is none."""
        answer = self.engine.show(topic_id)
        return None if answer is None else Reply(answer, answer_message(answer, surface, share=share),
                                                 verdict(answer, False))

    def record(self, answer: Answer, surface: str, team: str) -> None:
        """Statistics, best effort: bookkeeping must never cost the clinician the answer.
        Call it from the answering queue, never on the acknowledgement path."""
        try:
            if answer.topic:
                self.store.record_answer(answer.topic.id, surface, team)
            elif self.record_gaps and answer.reason != "greeting":
                self.store.record_gap(answer.status, answer.question, team)
        except StoreUnavailable:
            pass  # the store has said so, once
        except Exception as exc:
            log.error("could not record answer statistics: %s", type(exc).__name__)

    def first_delivery(self, body: dict[str, Any]) -> bool:
        """False for an event already handled here or by another instance sharing the store.

        Slack retries an event it thinks went unanswered (X-Slack-Retry-Num) and Socket Mode
        redelivers; both keep the event_id. Called from the answering queue, after the ack.
        """
        event_id = body.get("event_id")
        if not event_id:
            return True
        try:
            return self.store.claim_event(str(event_id))
        except StoreUnavailable:  # without the database, answering twice beats not answering
            return True
        except Exception as exc:
            log.error("event de-duplication failed: %s", type(exc).__name__)
            return True

    def respond(self, response_url: str, message: Message) -> None:
        """Post to a response_url (slash commands, buttons in ephemeral messages), retrying
        connection errors, 429s and 5xx as Web API calls are (Bolt's respond() retries
        connection errors only)."""
        client = WebhookClient(url=response_url, timeout=10, retry_handlers=retry_handlers(self.metrics))
        response = client.send_dict(message)
        if response.status_code == 200:  # the webhook client shows its retry handlers failures only
            self.metrics.api_call(response_url, 200, None)
        else:
            log.error("response_url post failed: HTTP %s", response.status_code)
