"""Buttons of "Ask a colleague": the asker's press, and Resolved in the consult channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..blocks.parts import ESCALATE, RESOLVED, parse_value
from ..delivery.escalation import Escalation, escalate, resolved_message
from ..delivery.services import Services
from .where import USER_ID, dict_field, where


def register(app: App, services: Services) -> None:
    @app.action(ESCALATE)
    def on_escalate(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        topic_id, _, origin = parse_value(str(action.get("value", "")))
        user = str(dict_field(body, "user").get("id", ""))
        ephemeral, channel, thread = where(body)
        if not USER_ID.match(user) or not channel or (topic_id and not services.engine.topic(topic_id)):
            return
        url = body.get("response_url")
        # On an ephemeral message (/nms, a shortcut's answer) Slack does not say where the question
        # was: a shortcut's buttons carry its thread (`origin`); /nms has no message to link to.
        ts = origin if ephemeral else (thread or "")
        button_ts = str(dict_field(body, "container").get("message_ts") or dict_field(body, "message").get("ts") or "")
        request = Escalation(
            user,
            str(dict_field(body, "team").get("id", "")),
            channel,
            ts,
            topic_id,
            thread if not ephemeral else (origin or None),
            url if isinstance(url, str) else None,
            ephemeral,
            button_ts,
        )
        services.later(lambda: escalate(services, client, request))

    @app.action(RESOLVED)
    def on_resolved(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = str(dict_field(body, "user").get("id", ""))
        url = body.get("response_url")
        message = dict_field(body, "message")
        if not USER_ID.match(user) or not isinstance(url, str) or not message:
            return
        update = resolved_message(message, user)
        services.later(lambda: services.respond(url, update))
