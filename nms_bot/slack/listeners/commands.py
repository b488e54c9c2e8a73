"""Slash command `/nms`: help, topics, the editorial policy, a topic by id, or a question; answered to
the asker."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from ..blocks import NO_UNFURL, help_message, policy_message, topics_message
from ..services import Services

TOPICS = re.compile(r"^(?:topics|list)(?: (\d{1,6}))?$")  # `/nms topics`, `/nms topics 2`


def register(app: App, services: Services) -> None:
    @app.command("/nms")
    def on_nms(ack: Ack, command: dict[str, Any]) -> None:
        # Matching takes well under a millisecond, so the answer goes in the ack itself; only
        # the statistics wait for the answering queue.
        text = " ".join(str(command.get("text") or "").split())
        team = str(command.get("team_id", ""))
        key = text.lower()
        topics = TOPICS.match(key)
        if key in ("", "help", "?"):
            ack(response_type="ephemeral", **NO_UNFURL, **help_message(services.engine.knowledge))
            return
        if key == "policy":  # the editorial policy (knowledge/policy.yaml)
            ack(response_type="ephemeral", **NO_UNFURL, **policy_message(services.engine.knowledge))
            return
        if topics:
            page = int(topics.group(1) or 1)
            ack(response_type="ephemeral", **NO_UNFURL, **topics_message(services.engine.knowledge, page))
            return
        reply = services.show(key, "command", share=True) or services.reply(text, "command", share=True)
        ack(response_type="ephemeral", **NO_UNFURL, **reply.message)
        services.later(lambda: services.record(reply.answer, "command", team))
