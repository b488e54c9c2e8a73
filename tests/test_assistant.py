"""The bot's DM as an assistant (suggested prompts, status), the App Home's ways to ask, and the
small things: the caution as an alert block, no link previews, manifest and code in step."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from nms_bot.core.engine import Engine
from nms_bot.slack.blocks.answers import answer_message
from nms_bot.slack.blocks.modal import ASK_SHORTCUT
from nms_bot.slack.blocks.parts import NO_UNFURL
from nms_bot.slack.listeners.assistant import STATUS, suggested_prompts

from .conftest import ROOT, Bot, drained, start_bot
from .payloads import payload


def test_opening_the_messages_tab_offers_prompts_the_knowledge_base_answers(bot: Bot, engine: Engine):
    assert bot.send(payload("app_home_opened_messages")) == (200, "")
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("assistant.threads.setSuggestedPrompts"))
    assert call["channel_id"] == "D123" and not call.get("thread_ts"), "agent view: no thread_ts, or Slack drops it"
    prompts = call["prompts"]
    assert 1 <= len(prompts) <= 4 and prompts[0] == {"title": "Dantrolene?", "message": "Dantrolene?"}
    assert all(engine.ask(p["message"]).status == "answer" for p in prompts)
    assert not bot.stub.sent("views.publish"), "the Messages tab is not the Home tab"
    bot.send(payload("app_home_opened_messages"))  # the same event again (a retry): once
    drained(bot)
    assert len(bot.stub.sent("assistant.threads.setSuggestedPrompts")) == 1


def test_the_older_assistant_pane_gets_prompts_in_its_thread(bot: Bot):
    assert bot.send(payload("assistant_thread_started")) == (200, "")
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("assistant.threads.setSuggestedPrompts"))
    assert call["channel_id"] == "D123" and call["thread_ts"] == "1700000960.000400"


def test_a_workspace_without_the_assistant_surface_still_gets_answers(bot: Bot):
    bot.stub.queued["assistant.threads.setSuggestedPrompts"] = [(200, {}, {"ok": False, "error": "not_allowed"})]
    bot.send(payload("app_home_opened_messages"))
    bot.stub.wait_for(lambda: bot.stub.sent("assistant.threads.setSuggestedPrompts"))
    bot.send(payload("message_im"))  # a plain DM: answered, no status
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["channel"] == "D123" and not post.get("thread_ts")
    assert bot.stub.sent("assistant.threads.setStatus") == []


def test_a_question_in_an_assistant_thread_shows_a_status_then_the_answer_there(bot: Bot):
    bot.send(payload("message_im", thread_ts="1700000960.000400", ts="1700000970.000100"))
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    [status] = bot.stub.sent("assistant.threads.setStatus")
    assert status == {**status, "channel_id": "D123", "thread_ts": "1700000960.000400", "status": STATUS}
    methods = [m for m, _ in bot.stub.calls]
    assert methods.index("assistant.threads.setStatus") < methods.index("chat.postMessage")
    assert post["thread_ts"] == "1700000960.000400" and post["blocks"][0]["text"]["text"] == "NMS: Dantrolene"


def test_a_refused_status_does_not_cost_the_answer(bot: Bot):
    bot.stub.queued["assistant.threads.setStatus"] = [(200, {}, {"ok": False, "error": "channel_not_found"})]
    bot.send(payload("message_im", thread_ts="1700000960.000400", ts="1700000970.000100"))
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["text"]["text"] == "NMS: Dantrolene"


def test_prompts_fall_back_to_the_topics_own_questions(engine: Engine):
    # A knowledge base without the example topics still offers questions it answers.
    from dataclasses import replace

    from nms_bot.core.model import Knowledge

    knowledge: Knowledge = engine.knowledge
    kept = {k: v for k, v in knowledge.topics.items() if k in ("ect", "fluids")}
    small = Engine.from_knowledge(replace(knowledge, topics=kept), approved_only=False)
    prompts = suggested_prompts(small)
    assert prompts and all(small.ask(p["message"]).status == "answer" for p in prompts)
    assert {p["title"] for p in prompts} <= {
        "Electroconvulsive therapy (ECT)",
        "IV fluids: dehydration, elevated CK, rhabdomyolysis",
    }


def test_app_home_explains_the_new_ways_to_ask(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'h.db'}", NMS_ESCALATION_CHANNEL="C0CONSULT")
    try:
        bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
        [call] = stub.wait_for(lambda: stub.sent("views.publish"))
        text = json.dumps(call["view"])
        for expected in (
            "Ask nms-bot",
            "also inside a thread",
            "Follow-ups",
            "without mentioning",
            "Ask a colleague",
            "<#C0CONSULT>",
            "Messages",
            "/nms QUESTION",
        ):
            assert expected in text, expected
    finally:
        stop()


def test_app_home_leaves_out_what_is_switched_off(bot: Bot):
    bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish"))
    text = json.dumps(call["view"])
    assert "Ask nms-bot" in text and "Follow-ups" in text and "Ask a colleague" not in text


def test_the_pending_review_caution_is_a_warning_alert_with_the_text_fallback(engine: Engine):
    answer = engine.ask("dantrolene")
    assert answer.caution
    message = answer_message(answer, "dm")
    [alert] = [b for b in message["blocks"] if b["type"] == "alert"]
    assert alert["level"] == "warning" and answer.caution in alert["text"]["text"]
    assert answer.caution in message["text"], "clients without alert blocks read the text"


def test_no_post_and_no_slash_command_reply_unfurls_links(bot: Bot):
    reply = json.loads(bot.command("ect")[1])
    assert reply["unfurl_links"] is False and reply["unfurl_media"] is False
    bot.mention("cooling")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert {k: post[k] for k in NO_UNFURL} == NO_UNFURL


def test_the_manifest_asks_for_what_the_code_listens_to():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features, scopes = manifest["features"], set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    [shortcut] = [s for s in features["shortcuts"] if s["type"] == "message"]
    assert shortcut["callback_id"] == ASK_SHORTCUT
    assert {"message.channels", "message.groups", "message.im", "app_mention", "app_home_opened"} <= events
    assert {"channels:history", "groups:history", "im:history", "assistant:write", "chat:write"} <= scopes
    assert features["agent_view"]["agent_description"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_settings_for_the_new_surfaces():
    import pytest

    from nms_bot.errors import ConfigurationError
    from nms_bot.slack.common.settings import load_settings

    from .conftest import SECRET, TOKEN

    base = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-A1-test"}  # Socket Mode: the health port is its own
    default = load_settings(False, env=base)
    assert (default.thread_hours, default.escalation_channel, default.health_port) == (24, None, None)
    chosen = load_settings(
        False, env={**base, "NMS_THREAD_HOURS": "8", "NMS_ESCALATION_CHANNEL": "C0CONSULT", "NMS_HEALTH_PORT": "8081"}
    )
    assert (chosen.thread_hours, chosen.escalation_channel, chosen.health_port) == (8, "C0CONSULT", 8081)
    assert load_settings(False, env={**base, "NMS_THREAD_FOLLOWUPS": "no"}).thread_hours is None
    # HTTP mode serves /healthz and /metrics on its own port.
    assert (
        load_settings(
            True, env={"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "NMS_HEALTH_PORT": "8081"}
        ).health_port
        is None
    )
    for bad in (
        {"NMS_ESCALATION_CHANNEL": "#pharmacy"},
        {"NMS_THREAD_HOURS": "0"},
        {"NMS_THREAD_HOURS": "a day"},
        {"NMS_THREAD_FOLLOWUPS": "sometimes"},
        {"NMS_HEALTH_PORT": "70000"},
    ):
        with pytest.raises(ConfigurationError, match=next(iter(bad))):
            load_settings(False, env={**base, **bad})
