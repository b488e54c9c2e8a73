"""Buttons: show a suggested or related topic, share an answer, helpful / not helpful.

Each press is acknowledged at once; what it does (posting, recording) goes to the answering queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ...storage.store import VERDICTS, StoreUnavailable, vote_key
from ..blocks.answers import answer_message, escalate_button
from ..blocks.parts import FEEDBACK, SHARE, SHARE_THREAD, SHOW_TOPIC, parse_value
from ..common.surfaces import SURFACES
from ..delivery.answering import error_kind
from ..delivery.services import Message, Services
from .where import USER_ID, dict_field, surface_of, where

log = logging.getLogger("nms_bot.slack")
GONE = "That topic is no longer in the knowledge base. Try `/nms topics`."
# chat.postMessage errors that mean "the bot cannot post there": share through the response URL.
NOT_THERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def register(app: App, services: Services) -> None:
    def reply_in_place(body: dict[str, Any], client: WebClient, message: Message) -> None:
        """Ephemeral messages can only be answered through their response_url."""
        ephemeral, channel, thread = where(body)
        url = body.get("response_url")
        if (ephemeral or not channel) and isinstance(url, str):
            services.respond(url, {"response_type": "ephemeral", "replace_original": False, **message})
        elif channel:
            services.post(client, channel, message, thread)

    @app.action(re.compile(f"^{SHOW_TOPIC}:"))
    def on_show_topic(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        ephemeral, channel, _ = where(body)
        topic_id, surface, origin = parse_value(str(action.get("value", "")))
        if surface not in SURFACES:  # buttons name their surface only where the message does not tell it
            surface = surface_of(ephemeral, channel)
        team = str(dict_field(body, "team").get("id", ""))

        def show() -> None:
            reader = str(dict_field(body, "user").get("id", ""))
            shown = services.show(topic_id, surface, share=ephemeral, origin=origin, form=services.form_of(reader))
            if shown is None:
                reply_in_place(body, client, {"text": GONE})
                return
            reply_in_place(body, client, shown.message)
            services.record(shown.answer, surface, team)

        services.later(show)

    @app.action(re.compile(f"^{SHARE}:"))
    def on_share(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        answer = services.engine.show(parse_value(str(action.get("value", "")))[0])
        user = str(dict_field(body, "user").get("id", ""))
        url = body.get("response_url")
        if answer is None or not USER_ID.match(user) or not isinstance(url, str):
            return
        message = answer_message(answer, "command", shared_by=user)
        # Through the response_url: works even where the bot is not a channel member.
        services.later(
            lambda: services.respond(url, {"response_type": "in_channel", "replace_original": False, **message})
        )

    @app.action(re.compile(f"^{SHARE_THREAD}:"))
    def on_share_in_thread(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        topic_id, _, thread = parse_value(str(action.get("value", "")))
        answer = services.engine.show(topic_id)
        user = str(dict_field(body, "user").get("id", ""))
        _, channel, _ = where(body)
        url = body.get("response_url")
        if answer is None or not USER_ID.match(user) or not channel:
            return
        message = answer_message(answer, "mention", shared_by=user)

        def share() -> None:
            # In the thread where the bot can post there; else (a private conversation without the
            # bot) the response URL, which Slack shows in the conversation but not in the thread.
            try:
                services.post(client, channel, message, thread or None)
                services.remember_thread(channel, thread)
                return
            except SlackApiError as exc:
                if exc.response.get("error") not in NOT_THERE or not isinstance(url, str):
                    raise
                log.info("shared through the response URL (%s)", error_kind(exc))
            services.respond(url, {"response_type": "in_channel", "replace_original": False, **message})

        services.later(share)

    @app.action(re.compile(f"^{FEEDBACK}:"))
    def on_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        verdict = str(action.get("action_id", "")).partition(":")[2]
        topic_id, surface, origin = parse_value(str(action.get("value", "")))
        user = str(dict_field(body, "user").get("id", ""))
        if verdict not in VERDICTS or surface not in SURFACES or not services.engine.topic(topic_id) or not user:
            return
        services.metrics.pressed(verdict, surface)
        _, channel, _ = where(body)
        team = str(dict_field(body, "team").get("id", ""))
        message_ts = dict_field(body, "container").get("message_ts") or dict_field(body, "message").get("ts", "")
        thanks = thanks_message(verdict, topic_id, surface, origin, services.escalation_channel)
        pressed_at = dt.datetime.now(dt.timezone.utc)  # in arrival order: the queue may write out of order

        def record_and_thank() -> None:
            with contextlib.suppress(StoreUnavailable):  # the store has said so; the thanks still goes out
                services.store.record_feedback(
                    vote_key(team, f"{channel}:{message_ts}", user), topic_id, verdict, surface, team, pressed_at
                )
            whisper_to_presser(services, client, body, thanks)

        services.later(record_and_thank)


def whisper_to_presser(services: Services, client: WebClient, body: dict[str, Any], message: Message) -> bool:
    """Show `message` to whoever pressed the button alone, in the conversation (and thread) of the press."""
    ephemeral, channel, thread = where(body)
    url = body.get("response_url")
    return services.whisper(
        client,
        message,
        channel=channel,
        user=str(dict_field(body, "user").get("id", "")),
        thread_ts=thread,
        response_url=url if isinstance(url, str) else None,
        via_url=ephemeral or not channel,
    )


def thanks_message(verdict: str, topic_id: str, surface: str, origin: str, escalation_channel: str | None) -> Message:
    """The private thanks for a feedback press; after Not helpful, Ask a colleague where set up."""
    if verdict == "helpful":
        return {"text": "Thanks: marked helpful."}
    text = "Thanks: marked not helpful. The clinical editors review this feedback."
    if not escalation_channel:
        return {"text": text}
    text += f" Still stuck? *Ask a colleague* sends a link to this conversation to <#{escalation_channel}>."
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "elements": [escalate_button(topic_id, surface, origin)]},
        ],
    }
