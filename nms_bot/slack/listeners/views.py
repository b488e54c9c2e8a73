"""The "Ask nms-bot" modal submitted: answer only the asker, in the conversation the message was in."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from ..blocks.modal import ASK_MODAL, QUESTION_BLOCK, Where, submitted_question
from ..delivery.services import Services
from .where import USER_ID, dict_field


def register(app: App, services: Services) -> None:
    @app.view(ASK_MODAL)
    def on_ask_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        question = submitted_question(view)
        if not question:
            ack(response_action="errors", errors={QUESTION_BLOCK: "Type a question to ask."})
            return
        ack()  # closes the modal
        where = Where.load(view.get("private_metadata"))
        user = str(dict_field(body, "user").get("id", ""))
        team = str(dict_field(body, "team").get("id", "") or dict_field(body, "user").get("team_id", ""))
        if where is None or not USER_ID.match(user):
            return

        def answer() -> None:
            form = services.form_of(user)
            reply = services.reply(question, "shortcut", share=True, origin=where.origin, form=form)
            # chat.postEphemeral shows it in the thread; the response URL where the bot is not a member.
            services.whisper(
                client,
                reply.message,
                channel=where.channel,
                user=user,
                thread_ts=where.thread,
                response_url=where.response_url,
            )
            services.record(reply.answer, "shortcut", team)

        services.later(answer)
