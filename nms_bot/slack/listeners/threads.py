"""Follow-ups: a person's reply in a channel thread the bot answered in, without a mention.

With `message.channels` / `message.groups` the bot receives every message of the channels it is
in. Only thread replies are looked at, in memory, and only a reply that asks something and
matches confidently (status answer), in a thread the bot answered in lately, is answered (and
kept, like any question, until it is); everything else is left alone, unstored and unlogged:
people there are mostly talking to each other, and a report such as "temp 40.2 now" or "thanks,
paging ICU" matches a topic confidently without asking the bot anything.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..delivery.questions import Question, receive
from ..delivery.services import Services
from .events import from_a_person, team_of, text_of

# A reply asks something when it has a question mark or opens like a question.
_OPENS_A_QUESTION = re.compile(
    r"^\W*(?:and|but|so|ok|okay|also)?\W*(?:what|whats|how|when|which|why|who|where|should|shall|can|could|"
    r"would|will|do|does|did|is|are|was|were|any|anything|dose|ok to|okay to|safe to)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[^<>]*>")


def asks_something(text: str) -> bool:
    """Does the reply ask a question (rather than report, agree or thank)?"""
    plain = _MARKUP.sub(" ", text)
    return "?" in plain or bool(_OPENS_A_QUESTION.match(plain))


def in_a_channel_thread(event: dict[str, Any]) -> bool:
    """A reply inside a thread of a public or private channel (not the thread's first message)."""
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    return event.get("channel_type") in ("channel", "group") and bool(thread_ts) and bool(ts) and thread_ts != ts


def register(app: App, services: Services) -> None:
    if services.thread_hours is None:  # NMS_THREAD_FOLLOWUPS=0: such messages are acknowledged, unread
        return

    @app.event("message", matchers=[lambda event: event.get("channel_type") in ("channel", "group")])
    def on_channel_message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if not in_a_channel_thread(event) or not from_a_person(event):
            return
        text, channel = text_of(event), str(event.get("channel") or "")
        bot = context.bot_user_id
        # A mention also arrives as app_mention (same ts), which always answers; and claim_message
        # (channel:ts) answers the message once whichever of the two gets there first.
        if not channel or (bot and f"<@{bot}>" in text) or not asks_something(text):
            return
        # Cheapest first, in memory (well under a millisecond): most replies are not confident
        # matches. Only a confident one is kept, and only if the thread is the bot's (receive).
        if services.engine.matcher.match(text).status != "answer":  # not sure: stay quiet
            return
        question = Question(
            channel,
            str(event["ts"]),
            text,
            "followup",
            team_of(body, event),
            thread_ts=str(event["thread_ts"]),
            user=str(event.get("user")),
        )
        receive(services, body, client, question)
