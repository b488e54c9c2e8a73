"""Slash command `/nms`: help, topics, the editorial policy, a topic by id, or a question; answered to
the asker."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from ...storage.store import StoreUnavailable
from ..blocks.home import help_message, policy_message, topics_message
from ..blocks.parts import NO_UNFURL
from ..delivery.readers import UNSAVED, USAGE, confirmation, settings_message, typed_choices
from ..delivery.services import Message, Services

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
        user = str(command.get("user_id") or "")
        if key == "settings" or key.startswith("settings "):
            ack(response_type="ephemeral", **settings_reply(services, user, key.removeprefix("settings")))
            return
        # The asker's choice of form: a database read before the ack, bounded by NMS_DB_TIMEOUT.
        form = services.form_of(user)
        reply = services.show(key, "command", share=True, form=form) or services.reply(
            text, "command", share=True, form=form
        )
        ack(response_type="ephemeral", **NO_UNFURL, **reply.message)
        services.later(lambda: services.record(reply.answer, "command", team))


def settings_reply(services: Services, user: str, words: str) -> Message:
    """`/nms settings [brief|full] [spelled|abbreviated]`: set what the words say, then show the choices."""
    choices = typed_choices(words)
    if choices is None or not user:
        return {"text": f"I did not understand that. {USAGE}"}
    if not choices:
        return settings_message(services.form_of(user))
    try:
        for choice, value in choices:
            form = services.store.choose(user, choice, value)
    except StoreUnavailable:
        return settings_message(services.form_of(user), UNSAVED)
    return settings_message(form, confirmation(form))
