"""Questions asked in messages (mentions, DMs, thread follow-ups), each answered along one route:

1. receive and persist (`receive`, on the request path, before the ack): the question goes to
   the durable answering queue (nms_bot/slack/delivery/durable.py), its event id claimed with it;
2. take: a worker takes it from the database for a lease (`work`);
3. read, match and compose (`compose`);
4. post: chat.postMessage once per message (`claim_message`), or chat.update when an edit
   changes the verdict (the edit's row stays until Slack accepts it, `revised`);
5. record: where the answer went (for edits), statistics; the queued question is deleted.

A message is known by its channel and `ts`, which an edit keeps. The store records, per message,
the verdict answered and the bot's answer `ts` (never the text), shared by every instance. Within
one answer a failing database is waited for once (Store.one_deadline).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Any

from slack_bolt.request.internals import extract_enterprise_id, extract_is_enterprise_install, extract_team_id
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...storage.store import Revision, StoreUnavailable, Taken
from .answering import error_kind
from .durable import Put
from .services import Reply, Services

log = logging.getLogger("nms_bot.slack")
STATUS = "Looking it up..."  # the assistant pane's status while the answer is worked out


@dataclass(frozen=True)
class Question:
    channel: str
    ts: str  # the question message's own ts, also in an edit
    text: str
    surface: str  # mention | dm | followup
    team: str
    thread_ts: str | None = None  # where a new answer goes
    edited_ts: str | None = None  # set when this is an edit of the message
    answer_if_new: bool = True  # an edit of a message with no answer on record: answer it?
    user: str = ""  # the asker, whose choice of form the answer is in
    # Whose token answers (many workspaces): the installation's ids, read from the payload as Bolt
    # reads them to authorize the request (receive). Never a token: the token is looked up, and
    # refreshed if it rotates, when the answer is sent (Services.client_for).
    install: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, data: str) -> Question:
        fields = json.loads(data)
        if fields.get("enterprise"):  # kept before `install`: only an org-wide install's enterprise id
            fields.setdefault("install", {"enterprise_id": fields["enterprise"], "is_enterprise_install": True})
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})


def receive(services: Services, body: dict[str, Any], client: WebClient, question: Question) -> None:
    """Step 1, on the request path: keep the question until it is answered. When the database does
    not take it in time, answer it from memory, once per delivery of the event (as before the
    durable queue); a follow-up then waits for the database (it is answered only in the bot's threads)."""
    services.remember_client(question.team, client)
    question = replace(question, install=installation_of(body))
    event_id = str(body.get("event_id") or f"nms:{uuid.uuid4()}")
    followup = question.surface == "followup"
    thread_key = f"{question.channel}:{question.thread_ts}" if followup else None
    if services.durable.put(question.to_json(), event_id, thread_key) is not Put.MEMORY or followup:
        return

    def from_memory() -> None:
        with services.store.one_deadline():
            if services.first_delivery(body):
                answer(services, client, question)

    services.later(from_memory)


def work(services: Services, taken: Taken) -> bool:
    """Step 2 done: answer a question taken from the durable queue. True when its row went with
    the answer's record; else the queue deletes it."""
    question = Question.from_json(taken.question)
    return answer(services, services.client_for(question.install, question.team, question.user), question, taken.id)


def installation_of(body: dict[str, Any]) -> dict[str, Any]:
    """The ids Bolt authorizes a request with (Enterprise Grid and Slack Connect included)."""
    return {
        "enterprise_id": extract_enterprise_id(body),
        "team_id": extract_team_id(body),
        "is_enterprise_install": bool(extract_is_enterprise_install(body)),
    }


def answer(services: Services, client: WebClient, question: Question, job: int | None = None) -> bool:
    """Steps 3 to 5: post the answer to a new question, or update the earlier answer when an edit
    changes the verdict. `job`: the question's answering-queue row (None: answered from memory).
    True when the row was deleted with the answer's record."""
    with services.store.one_deadline():
        if question.surface == "dm" and question.thread_ts:
            show_status(client, question.channel, question.thread_ts)
        reply = compose(services, question)
        if question.edited_ts and not _revise(services, client, question, reply, job):
            return False
        if not _claim(services, question, reply, job):
            return False  # answered already, here or by another instance
        # Remembered as the answer goes out, so that a reply typed the moment it appears is a follow-up.
        services.remember_thread(question.channel, question.thread_ts)
        response = services.post(client, question.channel, reply.message, question.thread_ts)
        return record(services, question, reply, str(response.get("ts") or ""), job)


def compose(services: Services, question: Question) -> Reply:
    """Step 3: read, match and compose (matching is sub-millisecond)."""
    return services.reply(question.text, question.surface, form=services.form_of(question.user))


def _revise(services: Services, client: WebClient, question: Question, reply: Reply, job: int | None) -> bool:
    """An edit: update the earlier answer if the verdict changed. True when the edited message has
    no answer on record and is to be answered as new. `job`: the edit's queue row, which stays
    until chat.update is accepted; taken again after a crash, it updates the answer then."""
    key = f"{question.channel}:{question.ts}"
    try:
        revision, reply_ts = services.store.revise(key, question.edited_ts or "", reply.verdict, job)
    except StoreUnavailable:  # without the database the earlier answer stands (the store logs it)
        return False
    except Exception as exc:
        log.error("cannot look up the answer to an edited question: %s", type(exc).__name__)
        return False
    if revision is Revision.UPDATE and reply_ts:
        client.chat_update(channel=question.channel, ts=reply_ts, **reply.message)
        if job is not None:
            _best_effort(lambda: services.store.revised(key, job), "cannot record an updated answer")
        services.record(reply.answer, question.surface, question.team)
    return revision is Revision.UNKNOWN and question.answer_if_new


def _claim(services: Services, question: Question, reply: Reply, job: int | None) -> bool:
    """Is this the one answer to the message? Without the database: yes (answering twice beats not
    answering; the store logs it)."""
    key = f"{question.channel}:{question.ts}"
    try:
        return services.store.claim_message(key, question.edited_ts or question.ts, reply.verdict, job)
    except StoreUnavailable:
        return True
    except Exception as exc:
        log.error("question de-duplication unavailable: %s", type(exc).__name__)
        return True


def record(services: Services, question: Question, reply: Reply, reply_ts: str, job: int | None = None) -> bool:
    """Step 5, best effort: where the answer went (for later edits) and the statistics; with the
    queue row `job` deleted in the same transaction when there is one. True when it was."""
    key = f"{question.channel}:{question.ts}"
    topic = reply.answer.topic
    if job is not None and topic is not None:  # when it fails, the queue deletes the row when it can
        answered = partial(services.store.answered, job, key, reply_ts, topic.id, question.surface, question.team)
        return _best_effort(answered, "cannot record the answer")
    if reply_ts:
        _best_effort(lambda: services.store.set_reply(key, reply_ts), "cannot remember the answer for later edits")
    services.record(reply.answer, question.surface, question.team)
    return False


def _best_effort(write: Callable[[], None], failed: str) -> bool:
    """A bookkeeping write after Slack took the answer: a failing database costs nothing more.
    True when the write went through."""
    try:
        write()
        return True
    except StoreUnavailable:
        return False  # the store has said so, once
    except Exception as exc:
        log.error("%s: %s", failed, type(exc).__name__)
        return False


def show_status(client: WebClient, channel: str, thread_ts: str) -> None:
    """'Looking it up...' in an assistant thread; Slack clears it when the answer is posted there."""
    try:
        client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=STATUS)
    except SlackApiError as exc:
        log.debug("assistant status not set (%s)", error_kind(exc))
