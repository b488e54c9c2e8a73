""" "Ask a colleague": hand a question the bot could not help with to the consult channel.

The post names who asked and links to the conversation (chat.getPermalink); it never copies the
question. Colleagues answer in the original thread. Each press is counted (per topic, or as
unanswered) for `nms-bot report`, and sent once per person and message.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...storage.store import StoreUnavailable, vote_key
from ..blocks.parts import RESOLVED, _button, escape
from .answering import error_kind
from .services import Message, Services

log = logging.getLogger("nms_bot.slack")


@dataclass(frozen=True)
class Escalation:
    user: str
    team: str
    channel: str  # where the question was asked
    ts: str  # the thread (or message) to link to; "" when there is none (a /nms question)
    topic_id: str  # the topic the asker found not helpful; "" when the bot had no answer
    thread: str | None  # where to tell the asker (in a thread: there)
    response_url: str | None
    ephemeral: bool  # the button was on a message only the asker sees
    button_ts: str  # the message holding the button: one escalation per person and message


def escalate(services: Services, client: WebClient, e: Escalation) -> None:
    """Post to the escalation channel (once per person and message) and tell the asker. Runs on
    the answering queue."""
    target = services.escalation_channel
    if not target:
        return
    key = vote_key(e.team, f"{e.channel}:{e.button_ts}", e.user)
    try:
        if not services.store.claim_escalation(key, e.topic_id, e.team):
            tell(services, client, e, f"Already sent to <#{target}>: a colleague will reply in the conversation.")
            return
    except StoreUnavailable:
        key = ""  # not counted; sent anyway
    topic = services.engine.topic(e.topic_id) if e.topic_id else None
    try:
        services.post(client, target, escalation_message(e, topic.title if topic else None, permalink(client, e)))
    except SlackApiError as exc:
        log.error(
            "Ask a colleague: cannot post to NMS_ESCALATION_CHANNEL %s (%s); invite the bot there",
            target,
            error_kind(exc),
        )
        if key:
            with contextlib.suppress(StoreUnavailable):
                services.store.release_escalation(key)
        tell(services, client, e, f"Sorry, I could not reach <#{target}>. Please ask there yourself.")
        return
    where = "in this thread" if e.thread else "here" if e.ts else "in the channel"
    tell(
        services,
        client,
        e,
        f"Sent to <#{target}>: who asked and a link to the conversation (not the question "
        f"itself). A colleague will reply {where}.",
    )


def permalink(client: WebClient, e: Escalation) -> str | None:
    """A link to the conversation, or None: a DM with the bot is private to the asker, a /nms
    question has no message, and the bot may not see the channel."""
    if not e.ts or e.channel.startswith("D"):
        return None
    try:
        link = client.chat_getPermalink(channel=e.channel, message_ts=e.ts).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink for an escalation (%s)", error_kind(exc))
        return None
    return link if isinstance(link, str) and link.startswith("https://") and "|" not in link else None


def escalation_message(e: Escalation, topic_title: str | None, link: str | None) -> Message:
    """Who asked, about what topic (never the question text), where, and a Resolved button."""
    about = (
        f"an answer about *{escape(topic_title)}* did not help them"
        if topic_title
        else "nms-bot could not answer their question"
    )
    if link:
        where = f"Open the conversation: <{link}|link>"
    elif e.channel.startswith("D"):
        where = f"They asked in a direct message with nms-bot: reply to <@{e.user}> directly."
    elif e.channel:
        where = f"They asked in <#{e.channel}>."
    else:
        where = f"Reply to <@{e.user}> directly."
    text = f":raising_hand: <@{e.user}> would like a colleague's help: {about}. {where}"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "The question itself is not copied here: please reply in the original conversation.",
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [
                    _button("Resolved", RESOLVED, "resolved", "Mark this request for help as resolved", "primary")
                ],
            },
        ],
    }


def resolved_message(original: dict[str, Any], user: str) -> Message:
    """The escalation post with its button replaced by who resolved it."""
    blocks = [b for b in original.get("blocks") or [] if isinstance(b, dict) and b.get("type") != "actions"]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f":white_check_mark: Resolved by <@{user}>"}]}
    )
    text = str(original.get("text") or "Request for help")
    return {"replace_original": True, "text": f"{text} (resolved by <@{user}>)", "blocks": blocks}


def tell(services: Services, client: WebClient, e: Escalation, text: str) -> None:
    """Tell the asker, privately, in the conversation."""
    try:
        services.whisper(
            client,
            {"text": text},
            channel=e.channel,
            user=e.user,
            thread_ts=e.thread,
            response_url=e.response_url,
            via_url=e.ephemeral or not e.channel,
        )
    except SlackApiError as exc:
        log.info("could not tell the asker about the escalation (%s)", error_kind(exc))
