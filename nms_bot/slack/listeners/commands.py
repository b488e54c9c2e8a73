"""Slash command `/nms`: help, topics, a topic by id, or a question; answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from ...core.render import answer_topic
from ..blocks import answer_message, help_message
from ..services import Services


def register(app: App, services: Services) -> None:
    @app.command("/nms")
    def on_nms(ack: Ack, command: dict[str, Any]) -> None:
        # Matching takes well under a millisecond, so the answer goes in the ack itself.
        text = " ".join((command.get("text") or "").split())
        engine = services.engine
        key = text.lower()
        if key in ("", "help", "?"):
            message = help_message(engine.knowledge)
        elif key in ("topics", "list"):
            message = help_message(engine.knowledge, topics_only=True)
        elif topic := engine.topic(key):
            answer = answer_topic(engine.knowledge, topic, text)
            services.record(answer, "command", command.get("team_id", ""))
            message = answer_message(answer, "command", share=True)
        else:
            message = services.reply(text, "command", command.get("team_id", ""), share=True)
        ack(response_type="ephemeral", **message)
