"""Questions asked in messages (mentions, DMs): each message answered once, edits revise the answer.

A message is known by its channel and `ts`, which an edit keeps. The store records, per message,
the verdict answered and the bot's answer `ts` (never the text), shared by every instance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from ..storage.store import Revision, StoreUnavailable
from .services import Reply, Services

log = logging.getLogger("nms_bot.slack")


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


def answer(services: Services, client: WebClient, question: Question, reply: Reply | None = None) -> None:
    """Post the answer to a new question, or update the earlier answer when an edit changes the verdict.
    `reply`: the reply already worked out (a follow-up is answered only when it is confident)."""
    key = f"{question.channel}:{question.ts}"
    reply = reply or services.reply(question.text, question.surface, form=services.form_of(question.user))
    if question.edited_ts:
        try:
            revision, reply_ts = services.store.revise(key, question.edited_ts, reply.verdict)
        except StoreUnavailable:  # without the database the earlier answer stands (the store logs it)
            return
        except Exception as exc:
            log.error("cannot look up the answer to an edited question: %s", type(exc).__name__)
            return
        if revision is Revision.UPDATE and reply_ts:
            services.record(reply.answer, question.surface, question.team)
            client.chat_update(channel=question.channel, ts=reply_ts, **reply.message)
        if revision is not Revision.UNKNOWN or not question.answer_if_new:
            return
    try:
        if not services.store.claim_message(key, question.edited_ts or question.ts, reply.verdict):
            return  # answered already, here or by another instance
    except StoreUnavailable:
        pass  # without the database, answering twice beats not answering (the store logs it)
    except Exception as exc:
        log.error("question de-duplication unavailable: %s", type(exc).__name__)
    services.record(reply.answer, question.surface, question.team)
    # Remembered as the answer goes out, so that a reply typed the moment it appears is a follow-up.
    services.remember_thread(question.channel, question.thread_ts)
    response = services.post(client, question.channel, reply.message, question.thread_ts)
    try:
        if response.get("ts"):
            services.store.set_reply(key, str(response["ts"]))
    except StoreUnavailable:
        pass
    except Exception as exc:
        log.error("cannot remember the answer for later edits: %s", type(exc).__name__)
