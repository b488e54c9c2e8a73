"""Slack's real payload shapes (tests/data/payloads) replayed, signed, into the running app over HTTP:
edited questions, attachments, Grid and Slack Connect, events without a listener, help text, and a
2,000-topic knowledge base."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from .blockkit import check_message, check_view, live_markup, size
from .conftest import Bot, drained, start_bot
from .payloads import payload

REPLY_TS = "1700000101.000200"  # where the stand-in says the bot's first answer went


def header(message: dict) -> str | None:
    first = message["blocks"][0]
    return first["text"]["text"] if first["type"] == "header" else None


def posts(bot: Bot) -> list[dict]:
    return bot.stub.sent("chat.postMessage")


def answered(bot: Bot, n: int = 1) -> list[dict]:
    """Wait for the nth answer and until the bot has finished with what it acknowledged."""
    bot.stub.wait_for(lambda: len(posts(bot)) >= n)
    drained(bot)
    return posts(bot)


def first_answer_goes_to(bot: Bot, ts: str = REPLY_TS, channel: str = "C123") -> None:
    bot.stub.queued["chat.postMessage"] = [(200, {}, {"ok": True, "channel": channel, "ts": ts})]


# 1. Edited questions


def test_edited_mention_updates_the_answer_in_place_when_the_topic_changes(bot: Bot):
    first_answer_goes_to(bot)
    assert bot.send(payload("app_mention")) == (200, "")
    [post] = answered(bot)
    assert header(post) == "NMS: Dantrolene" and post["thread_ts"] == "1700000100.000100"
    assert bot.send(payload("app_mention_edited")) == (200, "")  # same ts, `edited`, new event_id
    [update] = bot.stub.wait_for(lambda: bot.stub.sent("chat.update"))
    assert update["channel"] == "C123" and update["ts"] == REPLY_TS
    assert header(update) == "NMS: Cooling for hyperthermia"
    assert len(answered(bot)) == 1, "no second answer in the thread"


def test_edit_that_keeps_the_topic_leaves_the_answer_alone(bot: Bot):
    first_answer_goes_to(bot)
    bot.send(payload("app_mention"))
    answered(bot)
    bot.send(payload("app_mention_edited", text="<@UBOT> should we give dantrolene now?"))
    bot.send(payload("app_mention", event_id="Ev0OTHER", ts="1700000190.000100", text="<@UBOT> cooling"))
    assert len(answered(bot, 2)) == 2
    assert bot.stub.sent("chat.update") == []


def test_edits_apply_in_order_once_and_can_turn_an_answer_into_a_decline(bot: Bot):
    first_answer_goes_to(bot)
    bot.send(payload("app_mention"))
    answered(bot)
    later = payload(
        "app_mention_edited",
        event_id="Ev0LATER",
        edited={"user": "U111", "ts": "1700000170.000000"},
        text="<@UBOT> dantrolene for malignant hyperthermia?",
    )
    bot.send(later)
    [update] = bot.stub.wait_for(lambda: bot.stub.sent("chat.update"))
    assert header(update) is None and "a question about malignant hyperthermia" in update["text"]
    bot.send(payload("app_mention_edited"))  # an earlier edit arriving late changes nothing
    bot.send({**later, "event_id": "Ev0LATER2"})  # nor does the latest edit delivered again
    drained(bot)
    assert len(bot.stub.sent("chat.update")) == 1 and len(posts(bot)) == 1


def test_mention_added_by_an_edit_is_answered_once(bot: Bot):
    assert bot.send(payload("app_mention_edited"))[0] == 200
    bot.send(payload("app_mention_edited", event_id="Ev0AGAIN"))
    [post] = answered(bot)
    assert header(post) == "NMS: Cooling for hyperthermia" and post["thread_ts"] == "1700000100.000100"
    assert bot.stub.sent("chat.update") == []


def test_a_message_is_answered_once_whatever_its_event_ids(bot: Bot):
    bot.send(payload("app_mention"))
    bot.send(payload("app_mention", event_id="Ev0SAMEMESSAGE"))
    assert len(answered(bot)) == 1


def test_an_edit_reaching_another_instance_updates_the_first_instances_answer(stub, kb: Path, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, stop1 = start_bot(stub, kb, url)
    second, stop2 = start_bot(stub, kb, url)
    try:
        first_answer_goes_to(first)
        first.send(payload("app_mention"))
        answered(first)
        second.send(payload("app_mention_edited"))
        [update] = stub.wait_for(lambda: stub.sent("chat.update"))
        assert update["ts"] == REPLY_TS and header(update) == "NMS: Cooling for hyperthermia"
        second.send(payload("app_mention", event_id="Ev0REDELIVERED"))  # the original, late, elsewhere
        assert len(answered(first)) == 1
    finally:
        stop1()
        stop2()


def test_edited_dm_updates_the_answer_and_link_previews_change_nothing(bot: Bot):
    first_answer_goes_to(bot, channel="D123")
    bot.send(payload("message_im"))
    [post] = answered(bot)
    assert post["channel"] == "D123" and header(post) == "NMS: Dantrolene"
    bot.send(payload("message_im_changed_unfurl"))  # message_changed without `edited`
    bot.send(payload("message_im_changed"))
    [update] = bot.stub.wait_for(lambda: bot.stub.sent("chat.update"))
    assert update["channel"] == "D123" and update["ts"] == REPLY_TS
    assert "rhabdomyolysis" in header(update).lower()
    # Slack sends message_changed again, e.g. when someone replies in the DM's thread: same `edited`.
    bot.send(payload("message_im_changed", event_id="Ev0DM1REPLY"))
    # An edit of a DM the bot has no answer to on record is left alone.
    bot.send(
        payload(
            "message_im_changed",
            event_id="Ev0DMOLD",
            message={**payload("message_im_changed")["event"]["message"], "ts": "1690000000.000100"},
        )
    )
    drained(bot)
    assert len(bot.stub.sent("chat.update")) == 1 and len(posts(bot)) == 1


def test_nothing_about_questions_is_stored_but_ids_and_a_verdict_hash(bot: Bot):
    bot.send(payload("message_im"))
    answered(bot)
    bot.send(payload("message_im_changed"))
    bot.stub.wait_for(lambda: bot.stub.sent("chat.update"))
    [row] = bot.services.store.table_rows()["nms_replies"]
    assert row["message_key"] == "D123:1700000500.001000" and len(row["verdict"]) == 64
    dump = json.dumps(bot.services.store.table_rows(), default=str).lower()
    assert "rhabdo" not in dump and "dantrolene?" not in dump


# 2. Attachments and broadcasts from people are answered; bots, deletions, joins are not


def test_attachments_and_broadcasts_are_answered_from_their_text_and_files_never_read(bot: Bot):
    stub = {"stub_url": bot.stub.url}
    bot.send(payload("message_im_file_share", **stub))
    bot.send(payload("message_im_thread_broadcast"))
    bot.send(payload("app_mention_thread_broadcast", **stub))
    bot.send(payload("app_mention_file", **stub))
    by_header = {header(p): p for p in answered(bot, 4)}
    assert len(posts(bot)) == 4
    assert by_header["NMS: Dantrolene"]["channel"] == "D123" and not by_header["NMS: Dantrolene"].get("thread_ts")
    assert by_header["NMS: Cooling for hyperthermia"]["thread_ts"] == "1700000500.001000"
    rhabdo = next(p for h, p in by_header.items() if "rhabdomyolysis" in h.lower())
    assert rhabdo["channel"] == "C123" and rhabdo["thread_ts"] == "1700000250.000400"
    assert by_header["NMS: Electroconvulsive therapy (ECT)"]["thread_ts"] == "1700000310.000600"
    assert [m for m, _ in bot.stub.calls if m.startswith(("GET", "files."))] == []
    dump = json.dumps(bot.services.store.table_rows(), default=str)
    assert "F0PHOTO1" not in dump and "img_2041" not in dump


def test_bots_deletions_joins_and_other_subtypes_are_not_answered(bot: Bot):
    for name in ("message_im_bot_message", "message_im_from_a_bot_user", "message_im_deleted", "message_channel_join"):
        assert bot.send(payload(name))[0] == 200
    bot.send(payload("message_im", event_id="Ev0OWN", user="UBOT", bot_id="BBOT"))  # the bot itself
    own_edit = payload("message_im_changed", event_id="Ev0OWNEDIT")
    own_edit["event"]["message"].update(user="UBOT", bot_id="BBOT")
    bot.send(own_edit)
    bot.send(payload("message_im", event_id="Ev0MARKER", ts="1700000999.000100", text="cooling"))
    [post] = answered(bot)
    assert header(post) == "NMS: Cooling for hyperthermia"


def test_enterprise_grid_org_wide_and_slack_connect_mentions_are_answered(bot: Bot):
    assert bot.send(payload("app_mention_grid_org_wide"))[0] == 200  # no top-level team_id
    assert bot.send(payload("app_mention_slack_connect"))[0] == 200
    by_channel = {p["channel"]: p for p in answered(bot, 2)}
    assert header(by_channel["C0GRID"]) == "NMS: Bromocriptine and dopaminergic drugs"
    assert header(by_channel["C0SHARED"]) == "NMS: Supportive care and complications"
    teams = {r["topic_id"]: r["team"] for r in bot.services.store.table_rows()["nms_answers"]}
    assert teams == {"bromocriptine": "T2", "supportive-care": "T1"}


# 3. Every signed event gets 200, quietly

UNHANDLED = (
    "app_rate_limited",
    "tokens_revoked",
    "app_uninstalled",
    "app_uninstalled_grid",
    "reaction_added",
    "member_joined_channel",
    "team_access_granted",
)


def test_every_signed_event_gets_200_quietly(bot: Bot, caplog):
    with caplog.at_level(logging.DEBUG):
        for name in UNHANDLED:
            assert bot.send(payload(name)) == (200, ""), name
    records = [r for r in caplog.records if r.name.startswith("nms_bot") and not r.name.startswith("nms_bot.bolt")]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["app_rate_limited"]
    assert "\n" not in warnings[0].getMessage()
    assert len(records) <= len(UNHANDLED), "one line each at most"
    assert "Suggestion" not in caplog.text and "Unhandled request" not in caplog.text
    time.sleep(0.3)
    assert [m for m, _ in bot.stub.calls if m.startswith("chat.")] == []


# 4. Fixed texts are escaped


def test_help_topics_and_home_have_no_live_markup(bot: Bot):
    for text in ("", "help", "topics"):
        reply = json.loads(bot.command(text)[1])
        check_message(reply)  # includes: no live markup
    help_text = json.loads(bot.command("help")[1])
    assert "`/nms &lt;topic id&gt;`" in json.dumps(help_text["blocks"]) and "&lt;topic id&gt;" in help_text["text"]
    bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish"))
    check_view(call["view"])
    assert "&lt;topic id&gt;" in json.dumps(call["view"]) and live_markup(call["view"]) == []


# 5. A large knowledge base


@pytest.fixture
def big_bot(bot: Bot, big_engine):
    bot.live.current = big_engine  # what a reload of a 2,000-topic knowledge base puts in service
    return bot


def test_large_knowledge_base_help_and_decline_stay_small_and_say_how_to_see_all(big_bot: Bot):
    bot = big_bot
    for text in ("", "help"):
        reply = json.loads(bot.command(text)[1])
        check_message(reply)
        assert size(reply) < 10_000 and "1,975 more: `/nms topics` lists them all" in json.dumps(reply["blocks"])
    bot.mention("qwerty")
    [decline] = answered(bot)
    check_message(decline)
    assert size(decline) < 10_000 and "1,975 more" in json.dumps(decline)
    bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish"))
    check_view(call["view"])
    assert size(call["view"]) < 10_000


def test_large_knowledge_base_topics_come_in_pages_that_together_list_every_topic(big_bot: Bot, big_engine):
    bot, seen = big_bot, set()
    for page in range(1, 21):
        reply = json.loads(bot.command(f"topics {page}")[1])
        check_message(reply)
        assert size(reply) < 30_000
        body = "\n".join(b["text"]["text"] for b in reply["blocks"] if b["type"] == "section")
        assert f"(page {page} of 20)" in body and ("Next: `/nms topics" in body) == (page < 20)
        seen |= {line.split("`")[1] for line in body.splitlines() if line.startswith("\u2022")}
    assert seen == set(big_engine.knowledge.topics)
    past_the_end = json.loads(bot.command("topics 99")[1])
    assert "(page 20 of 20)" in past_the_end["blocks"][0]["text"]["text"]
