"""What every listener needs: the live knowledge, the store, the answering queues (in memory, and
durable in the database), and how to answer, send and record."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from ...core.compose import Answer
from ...core.engine import Engine
from ...core.forms import DEFAULT, Form, in_form
from ...core.live import LiveEngine
from ...core.privacy import looks_identifying
from ...storage.store import Store, StoreUnavailable
from ..blocks.answers import answer_message
from ..blocks.parts import NO_UNFURL
from ..common.metrics import Metrics
from ..common.retry import retry_handlers
from ..common.settings import ANSWER_LEASE
from .answering import AnswerQueue, Job, error_kind
from .durable import DurableQueue

log = logging.getLogger("nms_bot.slack")
# Where a question came from; recorded with each answer and carried in button values.
Message = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """A reply ready to send, and its verdict: what an edit must change before the reply is updated."""

    answer: Answer
    message: Message
    verdict: str


def verdict(answer: Answer, phi_reminder: bool) -> str:
    """A hash of what the reply says (topic, suggestions or decline, identifier reminder), not of its text."""
    parts = (
        answer.status,
        answer.topic.id if answer.topic else "",
        ",".join(t.id for t, _ in answer.suggestions),
        answer.reason,
        "|".join(answer.scope or ()),
        "phi" if phi_reminder else "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Services:
    """Shared by every listener. On the acknowledgement path nothing here touches the network, and
    the database only to keep a question (`durable`, with a short deadline): the rest of the
    work goes to `answers`, the answering queue."""

    live: LiveEngine
    store: Store
    record_gaps: bool = False
    answers: AnswerQueue = field(default_factory=AnswerQueue)
    thread_hours: float | None = None  # follow-ups in threads the bot answered in (None: off)
    escalation_channel: str | None = None  # "Ask a colleague" posts here (None: no such button)
    # Work bound to a trigger_id (views.open within 3 s of the click) has its own workers, so it
    # never waits behind a backlog of answers.
    urgent: AnswerQueue = field(default_factory=lambda: AnswerQueue(2, "urgent"))
    metrics: Metrics = field(default_factory=Metrics)
    installations: Any = None  # many-workspaces mode: the DatabaseInstallationStore
    authorize: Any = None  # many-workspaces mode: Bolt's authorize over it (refreshes rotating tokens)
    answer_lease: float = ANSWER_LEASE  # seconds a worker holds a queued question (NMS_ANSWER_LEASE)
    client: WebClient | None = None  # the app's Web API client (set by build_app)
    # Questions kept in the database until answered; its workers are `answers`' (started by build_app).
    durable: DurableQueue = field(init=False)
    _clients: dict[str, WebClient] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.durable = DurableQueue(self.store, self.answers, self.answer_lease)
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

    def soon(self, job: Job) -> None:
        """Queue a call that Slack wants within 3 s of a click (views.open with its trigger_id)."""
        if not self.urgent.submit(job):
            log.warning("shutting down: a job arrived after the queue closed")

    def remember_client(self, team: str, client: WebClient) -> None:
        """The client Bolt made for a request from `team` (many workspaces): answers go out with it
        if the database fails before the answer is sent (client_for)."""
        if self.authorize is not None:
            self._clients[team] = client

    def client_for(self, install: dict[str, Any] | None, team: str, user: str = "") -> WebClient:
        """A Web API client that answers in the workspace of `install` (Question.install; None: `team`'s):
        the app's own (one workspace), else one with the installation's bot token, found and, if it
        rotates and is near its expiry, refreshed as for a live request: by Bolt's authorize, at the
        moment of answering (a question taken up after a restart, hours later, gets a live token).
        When that finds nothing (the database is failing, say), the client of `team`'s latest request here."""
        assert self.client is not None, "build_app sets the client"
        if self.authorize is None:
            return self.client
        ids = {"enterprise_id": None, "team_id": team, "is_enterprise_install": False, **(install or {})}
        context = BoltContext(client=self.client, is_enterprise_install=ids["is_enterprise_install"])
        found = self.authorize(
            context=context, enterprise_id=ids["enterprise_id"], team_id=ids["team_id"], user_id=user
        )
        if found is None or not found.bot_token:
            if team in self._clients:
                return self._clients[team]
            raise SlackApiError("the workspace is not installed", {"ok": False, "error": "not_installed"})
        return WebClient(
            token=found.bot_token,
            base_url=self.client.base_url,
            timeout=self.client.timeout,
            team_id=ids["team_id"],
            retry_handlers=list(self.client.retry_handlers or []),
        )

    def reply(
        self, question: str, surface: str, *, share: bool = False, origin: str = "", form: Form = DEFAULT
    ) -> Reply:
        """The reply to a question as typed (matching is sub-millisecond), not yet recorded, in the
        asker's `form`. `origin`: for a shortcut, the thread the message was in (for Share in
        thread, Ask a colleague)."""
        started = time.perf_counter()
        answer = self.engine.ask(question)
        self.metrics.matching.observe(time.perf_counter() - started)
        self.metrics.question(surface, answer)
        phi = looks_identifying(question)
        return self._reply(in_form(answer, form), surface, share, origin, phi, self.escalation_channel is not None)

    def show(
        self, topic_id: str, surface: str, *, share: bool = False, origin: str = "", form: Form = DEFAULT
    ) -> Reply | None:
        """One topic by id (`/nms dantrolene`, a topic button), in the reader's `form`; None if there is none."""
        answer = self.engine.show(topic_id)
        if answer is None:
            return None
        return self._reply(in_form(answer, form), surface, share, origin)

    def _reply(
        self, answer: Answer, surface: str, share: bool, origin: str, phi: bool = False, escalate: bool = False
    ) -> Reply:
        """The Block Kit message for an answer: Share in channel, or in thread from a shortcut."""
        message = answer_message(
            answer,
            surface,
            share=share and surface != "shortcut",
            share_in_thread=share and surface == "shortcut",
            phi_reminder=phi,
            escalate=escalate,
            origin=origin,
        )
        return Reply(answer, message, verdict(answer, phi))

    def form_of(self, user: str | None) -> Form:
        """How this reader wants answers (App Home, `/nms settings`); the default when they chose
        nothing or the database is not answering (within NMS_DB_TIMEOUT: `/nms` reads it before
        its acknowledgement, which holds the answer)."""
        if not user:
            return DEFAULT
        try:
            return self.store.reader_form(user)
        except StoreUnavailable:
            return DEFAULT
        except Exception as exc:
            log.error("cannot read the reader's choice of form: %s", type(exc).__name__)
            return DEFAULT

    def record(self, answer: Answer, surface: str, team: str) -> None:
        """Statistics, best effort: bookkeeping must never cost the clinician the answer.
        Call it from the answering queue, never on the acknowledgement path."""
        try:
            if answer.topic:
                self.store.record_answer(answer.topic.id, surface, team)
            elif self.record_gaps and answer.reason != "greeting":
                self.store.record_gap(answer.status, self.engine.gap(answer.question), team)
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

    def respond(self, response_url: str, message: Message) -> bool:
        """Post to a response_url (slash commands, shortcuts, buttons in ephemeral messages),
        retrying connection errors, 429s and 5xx as Web API calls are (Bolt's respond() retries
        connection errors only). False when Slack did not take it (logged)."""
        client = WebhookClient(url=response_url, timeout=10, retry_handlers=retry_handlers(self.metrics))
        response = client.send_dict({**NO_UNFURL, **message})
        if response.status_code == 200:  # the webhook client shows its retry handlers failures only
            self.metrics.api_call(response_url, 200, None)
        else:
            log.error("response_url post failed: HTTP %s", response.status_code)
            return False
        return True

    @staticmethod
    def post(client: WebClient, channel: str, message: Message, thread_ts: str | None = None) -> SlackResponse:
        """chat.postMessage without link previews (citations stay one line each)."""
        return client.chat_postMessage(channel=channel, thread_ts=thread_ts, **NO_UNFURL, **message)

    def whisper(
        self,
        client: WebClient,
        message: Message,
        *,
        channel: str,
        user: str,
        thread_ts: str | None = None,
        response_url: str | None = None,
        via_url: bool = False,
    ) -> bool:
        """Show `message` to `user` alone in the conversation. chat.postEphemeral can show it inside
        a thread but needs the bot in the conversation; the response_url Slack sends with a click
        works anywhere (not inside a thread), so it is the fallback, and the only way (`via_url`)
        to answer a button on an ephemeral message. False when neither worked (logged)."""
        if not via_url and channel and user:
            try:
                client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **message)
                return True
            except SlackApiError as exc:
                if not response_url:
                    raise
                log.info("ephemeral message through the response URL instead (%s)", error_kind(exc))
        if response_url:
            return self.respond(response_url, {"response_type": "ephemeral", "replace_original": False, **message})
        return False

    def remember_thread(self, channel: str, thread_ts: str | None) -> None:
        """The bot answered in this channel thread: take later replies there as follow-ups. Best effort."""
        if self.thread_hours is None or not thread_ts or not channel.startswith(("C", "G")):
            return
        try:
            self.store.remember_thread(f"{channel}:{thread_ts}", self.thread_hours)
        except StoreUnavailable:
            pass
        except Exception as exc:
            log.error("cannot remember the thread for follow-ups: %s", type(exc).__name__)

    def thread_open(self, channel: str, thread_ts: str) -> bool:
        """Did the bot answer in this thread lately? Without the database: no (people talking to
        each other are left alone rather than answered by guess)."""
        try:
            return self.store.thread_open(f"{channel}:{thread_ts}")
        except StoreUnavailable:
            return False
        except Exception as exc:
            log.error("cannot look up the thread for a follow-up: %s", type(exc).__name__)
            return False
