"""The "Ask nms-bot" message shortcut: a modal with the message's text to edit before asking.

Slack wants views.open within 3 s of the click (the trigger_id expires). The shortcut is
acknowledged at once and views.open runs on its own small queue (Services.soon), not the
answering queue, so a backlog of answers never makes the modal miss its 3 s; its client does not
wait out 429s or retry 5xx, which could only end after the trigger expired.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..blocks.modal import ASK_SHORTCUT, TS, Where, ask_modal, readable
from ..common.retry import within_seconds
from ..delivery.services import Services
from .where import dict_field


def register(app: App, services: Services) -> None:
    quick = within_seconds(app.client)

    @app.shortcut({"callback_id": ASK_SHORTCUT, "type": "message_action"})
    def on_ask(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        trigger, url = body.get("trigger_id"), body.get("response_url")
        channel = str(dict_field(body, "channel").get("id") or "")
        message = dict_field(body, "message")
        ts, thread = str(message.get("ts") or ""), message.get("thread_ts")
        if not isinstance(trigger, str) or not trigger or not isinstance(url, str) or not channel or not TS.match(ts):
            return
        thread = str(thread) if thread and TS.match(str(thread)) else None
        view = ask_modal(readable(message.get("text")), Where(channel, thread, thread or ts, url))
        # The request's own client holds the token of the workspace asking (many-workspaces mode).
        services.soon(lambda: quick.views_open(token=client.token, trigger_id=trigger, view=view))
