"""Follow-ups in a thread without re-mentioning: message.channels events signed into the running app."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

from nms_bot.storage.store import Store

from .conftest import Bot, drained, finished, start_bot
from .payloads import payload

THREAD = "1700000100.000100"  # app_mention.json's message: the bot answers in a thread under it


def posts(bot: Bot) -> list[dict]:
    return bot.stub.sent("chat.postMessage")


def settle(bot: Bot, n: int) -> list[dict]:
    """Wait for the nth post and until the bot has finished with what it acknowledged."""
    bot.stub.wait_for(lambda: len(posts(bot)) >= n)
    drained(bot)
    return posts(bot)


def mention_answered(bot: Bot, followups: bool = True) -> None:
    bot.send(payload("app_mention"))
    [first] = settle(bot, 1)
    assert first["thread_ts"] == THREAD
    if followups:  # the thread is remembered just after the post
        bot.stub.wait_for(lambda: bot.services.store.table_rows()["nms_threads"])


def test_a_confident_reply_in_a_thread_the_bot_answered_in_is_answered_there(bot: Bot, caplog):
    mention_answered(bot)
    with caplog.at_level(logging.DEBUG, logger="nms_bot"):
        assert bot.send(payload("message_channel_thread_reply")) == (200, "")
        follow_up = settle(bot, 2)[1]
    assert follow_up["channel"] == "C123" and follow_up["thread_ts"] == THREAD
    assert follow_up["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    surfaces = [r["surface"] for r in bot.services.store.table_rows()["nms_answers"]]
    assert surfaces == ["mention", "followup"]
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("nms_bot.bolt"))
    assert "blankets" not in logged and "blankets" not in json.dumps(bot.services.store.table_rows(), default=str)


def test_a_reply_that_is_not_a_confident_question_gets_no_message(bot: Bot, engine):
    mention_answered(bot)
    unsure = ("thanks, will do", "kidney?", "what about lithium toxicity?", "ok I'll page the registrar")
    # reports and thanks the matcher would answer confidently, but that ask the bot nothing
    chatter = ("thanks, paging ICU now", "CK is 40k now", "temp 40.2 now")
    assert all(engine.ask(t).status == "answer" for t in chatter)
    assert all(engine.ask(t).status != "answer" for t in unsure)
    for text in unsure + chatter:
        bot.thread_reply(text, THREAD)
    drained(bot)
    assert len(posts(bot)) == 1
    assert not bot.stub.sent("chat.postEphemeral"), "silence, not even a private note"


def test_a_thread_the_bot_never_answered_in_gets_nothing(bot: Bot):
    mention_answered(bot)
    bot.thread_reply("should we give dantrolene?", "1700000050.000001")  # another thread
    bot.event(
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U222",
            "text": "dantrolene?",
            "ts": bot.next_ts(),
            "channel": "C123",
        }
    )  # not in a thread at all
    bot.thread_reply("should we give dantrolene?", THREAD, channel="C999")  # same ts, other channel
    drained(bot)
    assert len(posts(bot)) == 1


def test_bots_edits_and_the_bots_own_replies_in_the_thread_are_not_follow_ups(bot: Bot):
    mention_answered(bot)
    bot.thread_reply("how do we cool him?", THREAD, bot_id="BOTHER")
    bot.thread_reply("how do we cool him?", THREAD, user="UBOT", bot_id="BBOT")
    bot.thread_reply("how do we cool him?", THREAD, subtype="message_changed")
    drained(bot)
    assert len(posts(bot)) == 1


def test_a_mention_in_the_thread_arrives_twice_and_is_answered_once(bot: Bot):
    mention_answered(bot)
    ts = "1700000120.000400"
    text = "<@UBOT> how do we cool him?"
    # Slack sends the mention as app_mention and, with message.channels, as a message with the same ts.
    bot.thread_reply(text, THREAD, ts=ts, user="U111")
    bot.mention("how do we cool him?", ts=ts, thread_ts=THREAD)
    assert len(settle(bot, 2)) == 2
    # also when the message event is the one that answers (the mention's text without the bot's id)
    ts2 = "1700000130.000500"
    bot.mention("should we give bromocriptine?", ts=ts2, thread_ts=THREAD)
    bot.thread_reply("should we give bromocriptine?", THREAD, ts=ts2, user="U111")
    assert len(settle(bot, 3)) == 3


def test_a_follow_up_is_answered_once_by_two_instances_sharing_the_database(stub, kb: Path, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, stop1 = start_bot(stub, kb, url)
    second, stop2 = start_bot(stub, kb, url)
    try:
        first.send(payload("app_mention"))
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        # the other instance knows the thread from the shared database
        reply = payload("message_channel_thread_reply")
        assert second.send(reply) == (200, "")
        assert first.send(reply, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == (
            200,
            "",
        )
        # the same message delivered again under another event id (the app_mention twin) is not answered twice
        first.send({**reply, "event_id": "Ev0THREAD1B"})
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= 2)
        stub.wait_for(lambda: finished(first.services) and finished(second.services))
        sent = stub.sent("chat.postMessage")
        assert len(sent) == 2 and sent[1]["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    finally:
        stop1()
        stop2()


def test_follow_ups_can_be_switched_off(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'off.db'}", NMS_THREAD_FOLLOWUPS="0")
    try:
        mention_answered(bot, followups=False)
        assert bot.send(payload("message_channel_thread_reply")) == (200, "")
        drained(bot)
        assert len(posts(bot)) == 1
        assert bot.services.store.table_rows()["nms_threads"] == [], "no thread remembered either"
        bot.mention("how do we cool him?", thread_ts=THREAD)  # a mention still answers
        assert len(settle(bot, 2)) == 2
    finally:
        stop()


def test_without_the_database_the_bot_stays_quiet_in_threads(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'gone.db'}")
    try:
        mention_answered(bot)

        def broken(*_args: object, **_kwargs: object) -> None:
            from nms_bot.storage.store import StoreUnavailable

            raise StoreUnavailable("timed out")

        bot.services.store.enqueue = broken  # a frozen or unreachable database
        assert bot.send(payload("message_channel_thread_reply")) == (200, "")
        drained(bot)
        assert len(posts(bot)) == 1
    finally:
        stop()


def test_remembered_threads_expire(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    store.remember_thread("C1:1.1", hours=24)
    store.remember_thread("C1:2.2", hours=-1)  # answered in longer ago than the setting allows
    assert store.thread_open("C1:1.1") and not store.thread_open("C1:2.2") and not store.thread_open("C1:3.3")
    store.remember_thread("C1:2.2", hours=24)  # a later answer in the thread opens it again
    assert store.thread_open("C1:2.2")
    assert store.purge(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=25)) >= 2
    assert store.table_rows()["nms_threads"] == []
    store.close()


def test_what_counts_as_asking():
    from nms_bot.slack.listeners.threads import asks_something

    for text in (
        "dantrolene?",
        "how do we cool him",
        "And should we stop the haldol",
        "ok to restart olanzapine",
        "<@U222> is ECT an option",
    ):
        assert asks_something(text), text
    for text in (
        "temp 40.2 now",
        "thanks, paging ICU",
        "CK is 40k now",
        "started cooling blankets",
        "<https://example.org/?q=1|see this>",
    ):
        assert not asks_something(text), text
