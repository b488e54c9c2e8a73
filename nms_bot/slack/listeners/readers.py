"""A reader's choice of form pressed (App Home, `/nms settings`), and a brief answer's "Show the whole
answer", shown to whoever presses it in their own choice of abbreviations."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ...core.compose import answer_topic
from ...core.forms import Form, in_form
from ...storage.store import StoreUnavailable
from ..blocks.answers import answer_message
from ..blocks.parts import WHOLE
from ..common.surfaces import SURFACES
from ..delivery.readers import CHOOSE, UNSAVED, confirmation, pressed_choice, settings_message
from ..delivery.services import Services
from .actions import GONE, whisper_to_presser
from .events import publish_home
from .where import USER_ID, dict_field, surface_of, where

log = logging.getLogger("nms_bot.slack")


def whole_of(value: str) -> dict[str, Any] | None:
    """What a "Show the whole answer" button names (blocks.whole_answer_button), or None."""
    try:
        whole = json.loads(value)
    except ValueError:
        return None
    if not isinstance(whole, dict) or not isinstance(whole.get("topic"), str):
        return None
    lists = [whole.get(k, []) for k in ("carried", "notes")]
    if not all(isinstance(x, list) and all(isinstance(i, str) for i in x) for x in lists):
        return None
    return whole


def register(app: App, services: Services) -> None:
    @app.action(re.compile(f"^{CHOOSE}:"))
    def on_choose(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        user = str(dict_field(body, "user").get("id", ""))
        pressed = pressed_choice(action)
        if pressed is None or not USER_ID.match(user):
            return
        url = body.get("response_url")
        in_home = dict_field(body, "view").get("type") == "home"

        def save() -> None:
            try:
                form, saved = services.store.choose(user, *pressed), ""
            except StoreUnavailable:
                form, saved = services.form_of(user), UNSAVED
            saved = saved or confirmation(form)
            if in_home:
                publish_home(services, client, user, saved)
            elif isinstance(url, str):  # `/nms settings`, an ephemeral message: updated in place
                services.respond(url, {"replace_original": True, **settings_message(form, saved)})

        services.later(save)

    @app.action(re.compile(f"^{WHOLE}:"))
    def on_whole(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        whole = whole_of(str(action.get("value", "")))
        user = str(dict_field(body, "user").get("id", ""))
        if whole is None or not USER_ID.match(user):
            return
        ephemeral, channel, _ = where(body)
        surface = str(whole.get("surface", ""))
        surface = surface if surface in SURFACES else surface_of(ephemeral, channel)

        def show() -> None:
            knowledge = services.engine.knowledge
            topic = knowledge.topics.get(whole["topic"])
            if topic is None:
                message: dict[str, Any] = {"text": GONE}
            else:
                carried = tuple(t for t in whole.get("carried", []) if t in knowledge.topics)
                answer = answer_topic(knowledge, topic, carried=carried, notes=tuple(whole.get("notes", [])))
                # The whole answer, written as the one who pressed prefers it.
                reader = services.form_of(user)
                answer = in_form(answer, Form("full", reader.abbreviations))
                message = answer_message(answer, surface, origin=str(whole.get("origin", "")))
            whisper_to_presser(services, client, body, message)

        services.later(show)
