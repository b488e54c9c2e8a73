"""Events API: @mentions in channels, direct messages, the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ..blocks import home_view
from ..services import Services


def _from_a_person(event: dict[str, Any]) -> bool:
    # Bots (ourselves included), edits, deletions, joins... carry bot_id or a subtype.
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def register(app: App, services: Services) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # A mention inside a DM also arrives as message.im, which answers it.
        in_dm = event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")
        if in_dm or not _from_a_person(event) or not services.first_delivery(body):
            return
        message = services.reply(event.get("text", ""), "mention", body.get("team_id", ""))
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                **message)

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # Channel messages reach us only as app_mention; here we answer direct messages.
        if event.get("channel_type") != "im" or not _from_a_person(event) or not services.first_delivery(body):
            return
        message = services.reply(event.get("text", ""), "dm", body.get("team_id", ""))
        client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts"), **message)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") == "home" and event.get("user") and services.first_delivery(body):
            client.views_publish(user_id=event["user"], view=home_view(services.engine.knowledge))
