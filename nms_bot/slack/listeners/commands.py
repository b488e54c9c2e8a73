"""Slash command `/nms`: help, topics, a topic by id, or a question; answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from ..blocks import help_message
from ..services import Services


def register(app: App, services: Services) -> None:
    @app.command("/nms")
    def on_nms(ack: Ack, command: dict[str, Any]) -> None:
        # Matching takes well under a millisecond, so the answer goes in the ack itself; only
        # the statistics wait for the answering queue.
        text = " ".join(str(command.get("text") or "").split())
        team = str(command.get("team_id", ""))
        key = text.lower()
        if key in ("", "help", "?", "topics", "list"):
            ack(response_type="ephemeral", **help_message(services.engine.knowledge,
                                                           topics_only=key in ("topics", "list")))
            return
        answer, message = services.show(key, "command", share=True) or services.reply(text, "command", share=True)
        ack(response_type="ephemeral", **message)
        services.later(lambda: services.record(answer, "command", team))
