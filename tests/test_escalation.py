""" "Ask a colleague": button presses (block_actions) signed into the running app; the Web API stand-in
records what goes to the consult channel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from nms_bot.storage.report import build_report, format_report

from .conftest import Bot, start_bot
from .payloads import payload

CONSULT = "C0CONSULT"
QUESTION_TS = "1700000500.000100"


@pytest.fixture
def esc_bot(stub, kb: Path, tmp_path: Path) -> Iterator[Bot]:
    from .conftest import check_everything_sent

    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'e.db'}", NMS_ESCALATION_CHANNEL=CONSULT)
    yield bot
    stop()
    check_everything_sent(stub)


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def to_consult(bot: Bot) -> list[dict]:
    return [p for p in bot.stub.sent("chat.postMessage") if p["channel"] == CONSULT]


def asked_unsure(bot: Bot, text: str = "kidney failure after the CK came back 40k") -> dict:
    """A mention the bot is unsure about: its reply in the thread."""
    bot.mention(text, ts=QUESTION_TS)
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    return reply


def press(
    bot: Bot,
    button: dict,
    *,
    ephemeral: bool = False,
    channel: str = "C123",
    message_ts: str = "1700000500.000200",
    user: str = "U111",
) -> None:
    bot.action(
        button["action_id"],
        button["value"],
        ephemeral=ephemeral,
        channel=channel,
        message_ts=message_ts,
        thread_ts=None if ephemeral or channel.startswith("D") else QUESTION_TS,
        user=user,
    )


def test_ask_a_colleague_posts_who_asked_and_a_permalink_never_the_question(esc_bot: Bot):
    bot = esc_bot
    reply = asked_unsure(bot)
    assert "Did you mean" in reply["text"]
    [ask] = [b for b in buttons(reply) if b["text"]["text"] == "Ask a colleague"]
    assert "colleague" in ask["accessibility_label"]
    press(bot, ask)
    [post] = bot.stub.wait_for(lambda: to_consult(bot))
    [link] = bot.stub.sent("chat.getPermalink")
    assert link["channel"] == "C123" and link["message_ts"] == QUESTION_TS  # the question's thread
    permalink = f"https://hosp.slack.com/archives/C123/p{QUESTION_TS.replace('.', '')}"
    assert "<@U111>" in post["text"] and permalink in post["text"] and "could not answer" in post["text"]
    everything = json.dumps(post)
    for word in ("kidney", "failure", "40k"):
        assert word not in everything
    resolved = [b for b in buttons(post) if b["text"]["text"] == "Resolved"]
    assert resolved and resolved[0]["accessibility_label"]
    [told] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert told["user"] == "U111" and told["thread_ts"] == QUESTION_TS and f"<#{CONSULT}>" in told["text"]
    # pressed again: nothing more is sent, the asker is told it already went
    press(bot, ask)
    bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postEphemeral")) == 2)
    assert "Already sent" in bot.stub.sent("chat.postEphemeral")[1]["text"] and len(to_consult(bot)) == 1
    report = build_report(bot.services.store, 7)
    assert report["escalations"] == {"total": 1, "unanswered": 1}
    assert "Handed to a colleague (Ask a colleague): 1, 1 of them questions the bot could not answer" in format_report(
        report
    )
    assert "kidney" not in json.dumps(bot.services.store.table_rows(), default=str)


def test_not_helpful_offers_ask_a_colleague_and_the_report_counts_it_per_topic(esc_bot: Bot):
    bot = esc_bot
    bot.mention("how do we cool him?", ts=QUESTION_TS)
    [answer] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert not [b for b in buttons(answer) if b["text"]["text"] == "Ask a colleague"], "not on a confident answer"
    not_helpful = next(b for b in buttons(answer) if b["action_id"] == "nms_feedback:not_helpful")
    press(bot, not_helpful)
    [thanks] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    [ask] = buttons(thanks)
    assert ask["text"]["text"] == "Ask a colleague"
    press(bot, ask, message_ts="1700000500.000300")
    [post] = bot.stub.wait_for(lambda: to_consult(bot))
    assert "*Cooling for hyperthermia*" in post["text"] and "did not help" in post["text"]
    assert "cool him" not in json.dumps(post)
    report = build_report(bot.services.store, 7)
    cooling = next(t for t in report["topics"] if t["id"] == "cooling")
    assert cooling["escalations"] == 1 and cooling["not_helpful"] == 1
    assert report["escalations"] == {"total": 1, "unanswered": 0}


def test_resolved_replaces_the_button_with_who_resolved_it(esc_bot: Bot):
    bot = esc_bot
    press(bot, next(b for b in buttons(asked_unsure(bot)) if b["text"]["text"] == "Ask a colleague"))
    [post] = bot.stub.wait_for(lambda: to_consult(bot))
    body = {
        "type": "block_actions",
        "user": {"id": "U777", "username": "pharm", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1.2.x",
        "team": {"id": "T1", "domain": "hosp"},
        "container": {
            "type": "message",
            "message_ts": "1700000600.000100",
            "channel_id": CONSULT,
            "is_ephemeral": False,
        },
        "channel": {"id": CONSULT, "name": "consult"},
        "response_url": bot.stub.response_url("consult"),
        "message": {
            "type": "message",
            "ts": "1700000600.000100",
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": post["text"],
            "blocks": post["blocks"],
        },
        "actions": [
            {
                "action_id": "nms_resolved",
                "block_id": "r1",
                "type": "button",
                "value": "resolved",
                "text": {"type": "plain_text", "text": "Resolved"},
                "action_ts": "1700000601.1",
            }
        ],
    }
    bot.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")
    [update] = bot.stub.wait_for(lambda: bot.stub.sent("/response/consult"))
    assert update["replace_original"] is True and "Resolved by <@U777>" in json.dumps(update["blocks"])
    assert not buttons(update), "the button is gone"


def test_when_the_consult_channel_refuses_the_asker_is_told_and_can_try_again(esc_bot: Bot):
    bot = esc_bot
    ask = next(b for b in buttons(asked_unsure(bot)) if b["text"]["text"] == "Ask a colleague")
    bot.stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "not_in_channel"})]
    press(bot, ask)
    [told] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert "could not reach" in told["text"]
    assert bot.services.store.table_rows()["nms_escalations"] == [], "not counted: nothing was sent"
    press(bot, ask)
    bot.stub.wait_for(lambda: [p for p in bot.stub.delivered_to("chat.postMessage") if p["channel"] == CONSULT])
    # The escalation is recorded after the post went out: wait for the record, then count it.
    rows = bot.stub.wait_for(lambda: bot.services.store.table_rows()["nms_escalations"])
    assert len(rows) == 1


def test_from_a_direct_message_no_link_is_made_and_the_colleague_is_told_to_reply_directly(esc_bot: Bot):
    bot = esc_bot
    bot.dm("kidney")
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    press(bot, next(b for b in buttons(reply) if b["text"]["text"] == "Ask a colleague"), channel="D123")
    [post] = bot.stub.wait_for(lambda: to_consult(bot))
    assert bot.stub.sent("chat.getPermalink") == [], "a DM with the bot is private to the asker"
    assert "direct message" in post["text"] and "<@U111>" in post["text"] and "kidney" not in json.dumps(post)


def test_from_a_shortcut_answer_the_link_points_to_the_thread_it_was_asked_in(esc_bot: Bot):
    from .test_shortcut import THREAD, shortcut, submission

    bot = esc_bot
    bot.interactive(submission(shortcut(bot), "kidney"))
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    ask = next(b for b in buttons(reply) if b["text"]["text"] == "Ask a colleague")
    press(bot, ask, ephemeral=True)
    [post] = bot.stub.wait_for(lambda: to_consult(bot))
    assert bot.stub.sent("chat.getPermalink")[0]["message_ts"] == THREAD
    assert f"p{THREAD.replace('.', '')}" in post["text"]
    [told] = bot.stub.wait_for(lambda: bot.stub.sent("/response/act"))
    assert told["response_type"] == "ephemeral" and "Sent to" in told["text"]


def test_without_the_setting_no_button_appears(bot: Bot):
    reply = asked_unsure(bot)
    assert "Ask a colleague" not in json.dumps(reply)
    not_helpful = {"action_id": "nms_feedback:not_helpful", "value": "cooling|mention"}
    press(bot, not_helpful)
    [thanks] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert "Ask a colleague" not in json.dumps(thanks)
    press(bot, {"action_id": "nms_escalate", "value": "|mention|"})  # an old button, after the setting went
    time.sleep(0.3)
    assert [p for p in bot.stub.sent("chat.postMessage") if p["channel"] != "C123"] == []


def test_greetings_get_no_ask_a_colleague(esc_bot: Bot):
    esc_bot.send(payload("app_mention", text="<@UBOT> good morning"))
    [reply] = esc_bot.stub.wait_for(lambda: esc_bot.stub.sent("chat.postMessage"))
    assert "Ask a colleague" not in json.dumps(reply)


def test_two_presses_landing_on_two_instances_send_once(stub, kb: Path, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, stop1 = start_bot(stub, kb, url, NMS_ESCALATION_CHANNEL=CONSULT)
    second, stop2 = start_bot(stub, kb, url, NMS_ESCALATION_CHANNEL=CONSULT)
    try:
        ask = next(b for b in buttons(asked_unsure(first)) if b["text"]["text"] == "Ask a colleague")
        press(first, ask)
        press(second, ask)  # a double click, the second request balanced onto the other instance
        stub.wait_for(lambda: len(stub.sent("chat.postEphemeral")) == 2)
        assert len(to_consult(first)) == 1
        assert sorted("Already sent" in t["text"] for t in stub.sent("chat.postEphemeral")) == [False, True]
    finally:
        stop1()
        stop2()
