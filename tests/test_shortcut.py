""" "Ask nms-bot" on any message: Slack's message_action and view_submission payloads, signed, into the
running app over HTTP; the Web API stand-in records the modal and the private answer."""

from __future__ import annotations

import copy
import json
import logging
import time
from pathlib import Path
from typing import Any

from nms_bot.slack.blocks.modal import INPUT_MAX

from .conftest import Bot, start_bot
from .payloads import payload

THREAD = "1700000200.000100"  # the thread message_action.json's message is a reply in
MESSAGE = "1700000300.000200"


def shortcut(bot: Bot, **message: Any) -> dict:
    """Use the shortcut on message_action.json's message (fields replaced by `message`); the modal opened."""
    body = payload("message_action", stub_url=bot.stub.url)
    body["message"].update(message)
    body["message"] = {k: v for k, v in body["message"].items() if v is not None}
    before = len(bot.stub.sent("views.open"))
    assert bot.interactive(body) == (200, "")
    return bot.stub.wait_for(lambda: bot.stub.sent("views.open")[before:])[0]


def submission(opened: dict, typed: str | None = None) -> dict:
    """The view_submission Slack sends for the modal the bot opened, with the text as submitted."""
    body = payload("view_submission")
    view = opened["view"]
    element = view["blocks"][1]["element"]
    value = element.get("initial_value", "") if typed is None else typed
    body["view"].update(
        blocks=copy.deepcopy(view["blocks"]),
        private_metadata=view["private_metadata"],
        state={"values": {"question": {"text": {"type": "plain_text_input", "value": value}}}},
    )
    return body


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_shortcut_inside_a_thread_opens_a_prefilled_modal_and_answers_privately_in_that_thread(bot: Bot, caplog):
    with caplog.at_level(logging.DEBUG, logger="nms_bot"):
        opened = shortcut(bot)
        assert opened["trigger_id"] == payload("message_action")["trigger_id"]
        view = opened["view"]
        assert view["type"] == "modal" and view["submit"]["text"] == "Ask"
        # what the person wrote, readable: the mention gone, entities unescaped
        assert (
            view["blocks"][1]["element"]["initial_value"]
            == "febrile 40.1, CK 40k & rigid on haldol: should we start dantrolene?"
        )
        assert "patient details" in json.dumps(view["blocks"][0])
        assert bot.interactive(submission(opened, "rigid on haldol, should we start dantrolene?")) == (200, "")
        [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert reply["channel"] == "C123" and reply["user"] == "U111" and reply["thread_ts"] == THREAD
    assert reply["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    assert "Discontinue the causative antipsychotic" in reply["text"]  # haldol named: the first action leads
    share = next(b for b in buttons(reply) if b["text"]["text"] == "Share in thread")
    assert share["value"].endswith(f"|shortcut|{THREAD}")
    assert bot.stub.sent("chat.postMessage") == [], "nothing visible to others until shared"
    # nothing of the message or the question kept or logged (the app's own lines, at any level;
    # Bolt's and slack-sdk's are held at WARNING by the server's logging set-up)
    time.sleep(0.2)
    kept = json.dumps(bot.services.store.table_rows(), default=str)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("nms_bot.bolt"))
    for part in ("haldol", "febrile", "40k", "rigid", "response/shortcut"):
        assert part not in kept and part not in logged
    assert [r["surface"] for r in bot.services.store.table_rows()["nms_answers"]] == ["shortcut"]


def test_share_in_thread_posts_the_answer_in_the_thread_for_everyone(bot: Bot):
    opened = shortcut(bot)
    bot.interactive(submission(opened, "dantrolene?"))
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    share = next(b for b in buttons(reply) if b["text"]["text"] == "Share in thread")
    bot.action(share["action_id"], share["value"], ephemeral=True)
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["channel"] == "C123" and post["thread_ts"] == THREAD
    assert post["blocks"][0]["text"]["text"] == "NMS: Dantrolene" and "Shared by <@U111>" in json.dumps(post["blocks"])
    # the bot has now answered in that thread (remembered just after the post): a follow-up is answered
    bot.stub.wait_for(lambda: bot.services.store.table_rows()["nms_threads"])
    bot.thread_reply("how do we cool him?", THREAD)
    posts = bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 2 and bot.stub.sent("chat.postMessage"))
    assert posts[1]["thread_ts"] == THREAD and posts[1]["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"


def test_where_the_bot_is_not_a_member_the_answer_goes_through_the_response_url(bot: Bot):
    bot.stub.queued["chat.postEphemeral"] = [(200, {}, {"ok": False, "error": "channel_not_found"})]
    bot.stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "channel_not_found"})]
    opened = shortcut(bot)
    bot.interactive(submission(opened, "dantrolene?"))
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("/response/shortcut"))
    assert reply["response_type"] == "ephemeral" and reply["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    share = next(b for b in buttons(reply) if b["text"]["text"] == "Share in thread")
    bot.action(share["action_id"], share["value"], ephemeral=True)
    [shared] = bot.stub.wait_for(lambda: bot.stub.sent("/response/act"))
    assert shared["response_type"] == "in_channel" and "Shared by <@U111>" in json.dumps(shared["blocks"])


def test_shortcut_on_a_message_outside_threads_answers_in_the_channel_and_shares_under_the_message(bot: Bot):
    opened = shortcut(bot, thread_ts=None, parent_user_id=None, text="cooling?")
    assert opened["view"]["blocks"][1]["element"]["initial_value"] == "cooling?"
    bot.interactive(submission(opened))
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    # an ephemeral message in a thread nobody started would not show
    assert not reply.get("thread_ts") and reply["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    share = next(b for b in buttons(reply) if b["text"]["text"] == "Share in thread")
    bot.action(share["action_id"], share["value"], ephemeral=True)
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["thread_ts"] == MESSAGE


def test_long_messages_are_clipped_to_the_input_and_empty_questions_are_refused(bot: Bot):
    opened = shortcut(bot, text="dantrolene " * 400)
    assert len(opened["view"]["blocks"][1]["element"]["initial_value"]) == INPUT_MAX
    status, body = bot.interactive(submission(opened, "   "))
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"question": "Type a question to ask."},
    }
    time.sleep(0.2)
    assert not bot.stub.sent("chat.postEphemeral") and not bot.stub.sent("/response/shortcut")
    empty = shortcut(bot, text="")  # a message with only a file: nothing to prefill
    assert "initial_value" not in empty["view"]["blocks"][1]["element"]


def test_a_submission_whose_metadata_is_not_ours_is_acknowledged_and_ignored(bot: Bot):
    opened = shortcut(bot)
    body = submission(opened, "dantrolene?")
    for metadata in ("", "not json", json.dumps({"channel": "C123"}), json.dumps(["x"])):
        body["view"]["private_metadata"] = metadata
        assert bot.interactive(body) == (200, "")
    time.sleep(0.3)
    assert not bot.stub.sent("chat.postEphemeral") and not bot.stub.sent("/response/shortcut")


def test_the_modal_opens_while_answers_wait_in_a_backlog(stub, kb: Path, tmp_path: Path):
    # One answering worker, each answer held up by a slow Slack: the modal must not queue behind them
    # (its trigger_id expires 3 s after the click).
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'b.db'}", NMS_ANSWER_WORKERS="1")
    try:
        stub.delay["chat.postMessage"] = 1.0
        for _ in range(4):
            bot.mention("cooling")
        shortcut(bot)
        assert len(stub.sent("chat.postMessage")) <= 1, "the modal opened before the backlog was answered"
    finally:
        stub.delay.clear()
        stop()


def test_the_shortcuts_response_url_posts_are_retried_like_every_other(bot: Bot):
    from .slack_stub import DROP

    bot.stub.queued["chat.postEphemeral"] = [(200, {}, {"ok": False, "error": "channel_not_found"})]
    bot.stub.queued["/response/shortcut"] = [(429, {"Retry-After": "1"}, "slow down"), (DROP, {}, "")]
    bot.interactive(submission(shortcut(bot), "dantrolene?"))
    [answer] = bot.stub.wait_for(lambda: bot.stub.delivered_to("/response/shortcut"), timeout=20)
    assert answer["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    assert len(bot.stub.sent("/response/shortcut")) == 3
