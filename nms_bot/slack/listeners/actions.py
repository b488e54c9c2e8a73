"""Buttons: show a suggested or related topic, share an answer, helpful / not helpful."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ...storage.store import VERDICTS, vote_key
from ..blocks import FEEDBACK, SHARE, SHOW_TOPIC, answer_message
from ..services import SURFACES, Services

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def _where(body: dict[str, Any]) -> tuple[bool, str, str | None]:
    """(ephemeral?, channel id, thread to answer in) for the message holding the button."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    message = body.get("message") or {}
    thread = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
    return bool(container.get("is_ephemeral")), channel, thread


def _surface(ephemeral: bool, channel: str) -> str:
    return "command" if ephemeral else "dm" if channel.startswith("D") else "mention"


def register(app: App, services: Services) -> None:
    @app.action(re.compile(f"^{SHOW_TOPIC}:"))
    def on_show_topic(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                      respond: Respond) -> None:
        ack()
        ephemeral, channel, thread = _where(body)
        message = services.show(str(action.get("value", "")), _surface(ephemeral, channel),
                                (body.get("team") or {}).get("id", ""), share=ephemeral)
        if message is None:
            respond(response_type="ephemeral", replace_original=False,
                    text="That topic is no longer in the knowledge base. Try `/nms topics`.")
            return
        if ephemeral or not channel:
            respond(response_type="ephemeral", replace_original=False, **message)
        else:
            client.chat_postMessage(channel=channel, thread_ts=thread, **message)

    @app.action(re.compile(f"^{SHARE}:"))
    def on_share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        answer = services.engine.show(str(action.get("value", "")).split("|")[0])
        user = (body.get("user") or {}).get("id", "")
        if answer is None or not USER_ID.match(user):
            return
        # Through the response_url: works even where the bot is not a channel member.
        respond(response_type="in_channel", replace_original=False,
                **answer_message(answer, "command", shared_by=user))

    @app.action(re.compile(f"^{FEEDBACK}:"))
    def on_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                    respond: Respond) -> None:
        ack()
        verdict = str(action.get("action_id", "")).partition(":")[2]
        topic_id, _, surface = str(action.get("value", "")).partition("|")
        user = (body.get("user") or {}).get("id", "")
        if verdict not in VERDICTS or surface not in SURFACES or not services.engine.topic(topic_id) or not user:
            return
        ephemeral, channel, thread = _where(body)
        team = (body.get("team") or {}).get("id", "")
        message_ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts", "")
        services.store.record_feedback(vote_key(team, f"{channel}:{message_ts}", user), topic_id, verdict,
                                       surface, team)
        text = ("Thanks: marked helpful." if verdict == "helpful"
                else "Thanks: marked not helpful. The clinical editors review this feedback.")
        if ephemeral or not channel:
            respond(response_type="ephemeral", replace_original=False, text=text)
        else:
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=text)
