"""Events API: @mentions in channels, direct messages (and their edits), the App Home tab.

Each listener only decides whether to answer and hands the question to the durable answering
queue (nms_bot/slack/delivery/questions.py: receive); Bolt acknowledges as soon as it returns, so the ack
waits for Slack never, and for the database at most a short deadline.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from ..blocks.home import home_view
from ..delivery.questions import Question, receive
from ..delivery.readers import settings_blocks
from ..delivery.services import Services

# A person's message with an attachment (file_share) or a thread reply also sent to the channel
# (thread_broadcast) is answered from its text; files are never read. Every other subtype (bots,
# edits, deletions, joins...) is not a question.
PEOPLE_SUBTYPES = (None, "file_share", "thread_broadcast")


def from_a_person(message: dict[str, Any]) -> bool:
    return not message.get("bot_id") and message.get("subtype") in PEOPLE_SUBTYPES and bool(message.get("user"))


def text_of(message: dict[str, Any]) -> str:
    text = message.get("text")
    return text if isinstance(text, str) else ""


def team_of(body: dict[str, Any], event: dict[str, Any]) -> str:
    # An org-wide (Enterprise Grid) install has no top-level team_id.
    return str(body.get("team_id") or body.get("context_team_id") or event.get("team") or "")


def _edited_ts(message: dict[str, Any]) -> str | None:
    edited = message.get("edited")
    return str(edited["ts"]) if isinstance(edited, dict) and edited.get("ts") else None


def publish_home(services: Services, client: WebClient, user: str, saved: str = "") -> None:
    """Publish the App Home tab for `user`, with their choice of form (`saved`: after a press)."""
    client.views_publish(
        user_id=user,
        view=home_view(
            services.engine.knowledge,
            followups=services.thread_hours is not None,
            escalation_channel=services.escalation_channel,
            settings=settings_blocks(services.form_of(user), saved),
        ),
    )


def register(app: App, services: Services) -> None:
    def later(body: dict[str, Any], client: WebClient, question: Question) -> None:
        """Keep the question until answered; answered once per event however often Slack sends it."""
        receive(services, body, client, question)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # A mention inside a DM also arrives as message.im, which answers it.
        channel, ts = str(event.get("channel", "")), str(event.get("ts", ""))
        in_dm = event.get("channel_type") == "im" or channel.startswith("D")
        if in_dm or not from_a_person(event) or not channel or not ts:
            return
        # An edit arrives as app_mention again: same ts, an `edited` field, a new event_id. An
        # edit that adds the mention to an older message is a new question.
        later(
            body,
            client,
            Question(
                channel,
                ts,
                text_of(event),
                "mention",
                team_of(body, event),
                thread_ts=event.get("thread_ts") or ts,
                edited_ts=_edited_ts(event),
                user=str(event.get("user")),
            ),
        )

    @app.event("message", matchers=[lambda event: event.get("channel_type") == "im"])
    def on_message(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        # Direct messages; channel messages are mentions (app_mention) or follow-ups (threads.py).
        channel = str(event.get("channel", ""))
        if not channel:
            return
        if event.get("subtype") == "message_changed":
            # An edited DM: revise the answer given to it. Slack also sends message_changed for
            # link previews and thread replies, which carry no newer `edited` and change nothing;
            # a DM with no answer on record (older than a day) is left alone.
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            edited_ts = _edited_ts(message)
            if edited_ts and message.get("ts") and from_a_person(message):
                later(
                    body,
                    client,
                    Question(
                        channel,
                        str(message["ts"]),
                        text_of(message),
                        "dm",
                        team_of(body, event),
                        edited_ts=edited_ts,
                        answer_if_new=False,
                        user=str(message.get("user")),
                    ),
                )
            return
        if from_a_person(event) and event.get("ts"):
            # In the assistant pane (a DM thread) a status shows until the answer arrives there.
            question = Question(
                channel,
                str(event["ts"]),
                text_of(event),
                "dm",
                team_of(body, event),
                thread_ts=event.get("thread_ts"),
                user=str(event.get("user")),
            )
            later(body, client, question)

    @app.event("app_home_opened", matchers=[lambda event: event.get("tab", "home") == "home"])
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        user = event.get("user")
        if not user:
            return

        services.later(lambda: services.first_delivery(body) and publish_home(services, client, str(user)))
