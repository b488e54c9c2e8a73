"""Events API: @mentions in channels, direct messages, the App Home tab.

Each listener only decides whether to answer and queues the work; Bolt acknowledges as soon as
it returns, so the ack never waits for Slack or the database.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ..blocks import home_view
from ..services import Services


def _from_a_person(event: dict[str, Any]) -> bool:
    # Bots (ourselves included), edits, deletions, joins... carry bot_id or a subtype.
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


def _text(event: dict[str, Any]) -> str:
    text = event.get("text")
    return text if isinstance(text, str) else ""


def register(app: App, services: Services) -> None:
    def answer(body: dict[str, Any], client: WebClient, surface: str, channel: str, thread: str | None,
               question: str) -> None:
        if not services.first_delivery(body):
            return
        answer, message = services.reply(question, surface)
        client.chat_postMessage(channel=channel, thread_ts=thread, **message)
        services.record(answer, surface, str(body.get("team_id", "")))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # A mention inside a DM also arrives as message.im, which answers it.
        channel = str(event.get("channel", ""))
        if event.get("channel_type") == "im" or channel.startswith("D") or not _from_a_person(event) or not channel:
            return
        thread = event.get("thread_ts") or event.get("ts")
        services.later(lambda: answer(body, client, "mention", channel, thread, _text(event)))

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # Channel messages reach us only as app_mention; here we answer direct messages.
        channel = str(event.get("channel", ""))
        if event.get("channel_type") != "im" or not _from_a_person(event) or not channel:
            return
        services.later(lambda: answer(body, client, "dm", channel, event.get("thread_ts"), _text(event)))

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not user:
            return

        def publish() -> None:
            if services.first_delivery(body):
                client.views_publish(user_id=user, view=home_view(services.engine.knowledge))

        services.later(publish)
