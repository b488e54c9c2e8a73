"""Slash command `/nms`: help, topics, a topic by id, or a question; answered to the asker."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from ..blocks import help_message, topics_message
from ..services import Services

TOPICS = re.compile(r"^(?:topics|list)(?: (\d{1,6}))?$")  # `/nms topics`, `/nms topics 2`


def register(app: App, services: Services) -> None:
    @app.command("/nms")
    def on_nms(ack: Ack, command: dict[str, Any]) -> None:
        # Matching takes well under a millisecond, so the answer goes in the ack itself.
        text = " ".join((command.get("text") or "").split())
        team = command.get("team_id", "")
        key = text.lower()
        topics = TOPICS.match(key)
        if key in ("", "help", "?"):
            message = help_message(services.engine.knowledge)
        elif topics:
            message = topics_message(services.engine.knowledge, int(topics.group(1) or 1))
        else:
            message = (services.show(key, "command", team, share=True)
                       or services.reply(text, "command", team, share=True))
        ack(response_type="ephemeral", **message)
