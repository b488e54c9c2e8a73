"""Buttons: show a suggested or related topic, share an answer, helpful / not helpful.

Each press is acknowledged at once; what it does (posting, recording) goes to the answering queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ...storage.store import VERDICTS, StoreUnavailable, vote_key
from ..blocks import FEEDBACK, SHARE, SHOW_TOPIC, answer_message
from ..services import SURFACES, Message, Services

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
GONE = "That topic is no longer in the knowledge base. Try `/nms topics`."


def _dict(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _where(body: dict[str, Any]) -> tuple[bool, str, str | None]:
    """(ephemeral?, channel id, thread to answer in) for the message holding the button."""
    container = _dict(body, "container")
    channel = str(_dict(body, "channel").get("id") or container.get("channel_id") or "")
    message = _dict(body, "message")
    thread = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
    return bool(container.get("is_ephemeral")), channel, thread


def _surface(ephemeral: bool, channel: str) -> str:
    return "command" if ephemeral else "dm" if channel.startswith("D") else "mention"


def register(app: App, services: Services) -> None:
    def reply_in_place(body: dict[str, Any], client: WebClient, message: Message) -> None:
        """Ephemeral messages can only be answered through their response_url."""
        ephemeral, channel, thread = _where(body)
        url = body.get("response_url")
        if (ephemeral or not channel) and isinstance(url, str):
            services.respond(url, {"response_type": "ephemeral", "replace_original": False, **message})
        elif channel:
            client.chat_postMessage(channel=channel, thread_ts=thread, **message)

    @app.action(re.compile(f"^{SHOW_TOPIC}:"))
    def on_show_topic(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        ephemeral, channel, _ = _where(body)
        surface = _surface(ephemeral, channel)
        team = str(_dict(body, "team").get("id", ""))

        def show() -> None:
            shown = services.show(str(action.get("value", "")), surface, share=ephemeral)
            if shown is None:
                reply_in_place(body, client, {"text": GONE})
                return
            reply_in_place(body, client, shown.message)
            services.record(shown.answer, surface, team)

        services.later(show)

    @app.action(re.compile(f"^{SHARE}:"))
    def on_share(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        answer = services.engine.show(str(action.get("value", "")).split("|")[0])
        user = str(_dict(body, "user").get("id", ""))
        url = body.get("response_url")
        if answer is None or not USER_ID.match(user) or not isinstance(url, str):
            return
        message = answer_message(answer, "command", shared_by=user)
        # Through the response_url: works even where the bot is not a channel member.
        services.later(lambda: services.respond(url, {"response_type": "in_channel", "replace_original": False,
                                                      **message}))

    @app.action(re.compile(f"^{FEEDBACK}:"))
    def on_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        verdict = str(action.get("action_id", "")).partition(":")[2]
        topic_id, _, surface = str(action.get("value", "")).partition("|")
        user = str(_dict(body, "user").get("id", ""))
        if verdict not in VERDICTS or surface not in SURFACES or not services.engine.topic(topic_id) or not user:
            return
        services.metrics.pressed(verdict, surface)
        ephemeral, channel, thread = _where(body)
        team = str(_dict(body, "team").get("id", ""))
        message_ts = _dict(body, "container").get("message_ts") or _dict(body, "message").get("ts", "")
        text = ("Thanks: marked helpful." if verdict == "helpful"
                else "Thanks: marked not helpful. The clinical editors review this feedback.")
        pressed_at = dt.datetime.now(dt.timezone.utc)  # in arrival order: the queue may write out of order

        def record_and_thank() -> None:
            with contextlib.suppress(StoreUnavailable):  # the store has said so; the thanks still goes out
                services.store.record_feedback(vote_key(team, f"{channel}:{message_ts}", user), topic_id, verdict,
                                               surface, team, pressed_at)
            if ephemeral or not channel:
                reply_in_place(body, client, {"text": text})
            else:
                client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=text)

        services.later(record_and_thank)
