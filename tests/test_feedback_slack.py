"""Feedback buttons, PHI reminder and gap recording, through the Slack app end to end."""

from __future__ import annotations

import json
import time
from pathlib import Path

from .conftest import Bot, start_bot


def buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_every_answer_has_feedback_buttons_and_a_press_is_acknowledged_privately(bot: Bot):
    bot.mention("cooling", ts="1700000000.000100")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    helpful = next(b for b in buttons(post["blocks"]) if b["action_id"] == "nms_feedback:helpful")
    bot.action(
        helpful["action_id"],
        helpful["value"],
        message_ts="1700000000.000200",
        thread_ts="1700000000.000100",
        user="U42",
    )
    [ack] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert ack["user"] == "U42" and ack["channel"] == "C123" and "helpful" in ack["text"]
    rows = bot.services.store.table_rows()["nms_feedback"]
    assert [(r["topic_id"], r["verdict"], r["surface"], r["team"]) for r in rows] == [
        ("cooling", "helpful", "mention", "T1")
    ]


def test_second_press_replaces_the_first(bot: Bot):
    reply = json.loads(bot.command("ect")[1])
    not_helpful = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "nms_feedback:not_helpful")
    helpful = next(b for b in buttons(reply["blocks"]) if b["action_id"] == "nms_feedback:helpful")
    bot.action(helpful["action_id"], helpful["value"], ephemeral=True)
    bot.action(not_helpful["action_id"], not_helpful["value"], ephemeral=True)
    bot.stub.wait_for(lambda: len(bot.stub.sent("/response/act")) == 2)
    assert all(r["response_type"] == "ephemeral" for r in bot.stub.sent("/response/act"))
    rows = bot.services.store.table_rows()["nms_feedback"]
    assert [(r["verdict"], r["surface"]) for r in rows] == [("not_helpful", "command")]


def test_nothing_identifying_is_stored(bot: Bot):
    bot.dm("MRN 12345678 Jane Roe dob 1970-03-02 lithium toxicity")  # declined: recorded as a gap
    bot.dm("jane.roe@example.org dantrolene?")  # answered
    bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 2)
    time.sleep(0.2)
    dump = json.dumps(bot.services.store.table_rows(), default=str)
    for secret in ("12345678", "1970-03-02", "jane.roe", "U111"):
        assert secret not in dump
    assert "[MRN]" in dump and "[DATE]" in dump


def test_phi_reminder_is_added_but_the_question_still_answered(bot: Bot):
    bot.dm("pt MRN 1234567 rhabdo?")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    text = json.dumps(post["blocks"])
    assert "don't post patient identifiers" in text
    assert any(b["type"] == "header" and "rhabdomyolysis" in b["text"]["text"] for b in post["blocks"])
    bot.dm("rhabdo?")
    posts = bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 2 and bot.stub.sent("chat.postMessage"))
    assert "patient identifiers" not in json.dumps(posts[1]["blocks"])


def test_gaps_are_not_recorded_unless_enabled(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'g.db'}", record_gaps=False)
    try:
        bot.dm("lithium toxicity")
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        time.sleep(0.2)
        assert bot.services.store.table_rows()["nms_gaps"] == []
    finally:
        stop()


def test_two_instances_sharing_a_database_answer_a_retry_once(stub, kb: Path, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, stop1 = start_bot(stub, kb, url)
    second, stop2 = start_bot(stub, kb, url)
    try:
        assert first.mention("cooling", event_id="EvSHARED1")[0] == 200
        assert second.mention("cooling", event_id="EvSHARED1", headers={"X-Slack-Retry-Num": "1"})[0] == 200
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        time.sleep(0.5)
        assert len(stub.sent("chat.postMessage")) == 1
    finally:
        stop1()
        stop2()
