"""The bot's DM as an assistant: suggested prompts when someone opens it, a status while answering.

Slack's agent messaging experience (manifest `agent_view`) sends app_home_opened with tab
"messages"; the older assistant pane (`assistant_view`) sends assistant_thread_started. Bolt
injects `set_suggested_prompts` for both. Workspaces whose plan does not show the assistant
surface get no prompts (Slack refuses the call; nothing else changes) and plain DMs keep working.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from ...core.engine import Engine
from ...core.render import topic_list
from ..delivery.answering import error_kind
from ..delivery.questions import STATUS
from ..delivery.services import Services

log = logging.getLogger("nms_bot.slack")
__all__ = ["STATUS", "register", "suggested_prompts"]
PROMPTS_TITLE = "Ask about NMS treatment, for example:"
# Short questions a clinician asks on rounds; only those the current knowledge base answers are offered.
EXAMPLES = ("Dantrolene?", "Cooling", "When can we restart antipsychotics?", "Stop the antipsychotic?")
MAX_PROMPTS = 4  # Slack shows up to four


def suggested_prompts(engine: Engine) -> list[dict[str, str]]:
    """Up to four one-tap questions, each one the knowledge base answers directly; topics' own first
    questions fill in where a custom knowledge base lacks the examples."""
    prompts = [{"title": q, "message": q} for q in EXAMPLES if engine.ask(q).status == "answer"]
    for topic in topic_list(engine.knowledge):
        if len(prompts) >= MAX_PROMPTS:
            break
        question = topic.questions[0] if topic.questions else ""
        if question and all(p["message"] != question for p in prompts) and engine.ask(question).status == "answer":
            prompts.append({"title": topic.title[:75], "message": question})
    return prompts[:MAX_PROMPTS]


def offer_prompts(services: Services, body: dict[str, Any], set_prompts: SetSuggestedPrompts | None) -> None:
    """Set the suggested prompts once per event delivery; a refusal (no assistant surface) is quiet."""
    if set_prompts is None or not services.first_delivery(body):
        return
    prompts = suggested_prompts(services.engine)
    if not prompts:
        return
    try:
        set_prompts(prompts=prompts, title=PROMPTS_TITLE)
    except SlackApiError as exc:
        log.debug("suggested prompts not set (%s)", error_kind(exc))


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened", matchers=[lambda event: event.get("tab") == "messages"])
    def on_messages_tab(body: dict[str, Any], set_suggested_prompts: SetSuggestedPrompts | None = None) -> None:
        services.later(lambda: offer_prompts(services, body, set_suggested_prompts))

    @app.event("assistant_thread_started")
    def on_assistant_thread(body: dict[str, Any], set_suggested_prompts: SetSuggestedPrompts | None = None) -> None:
        services.later(lambda: offer_prompts(services, body, set_suggested_prompts))
