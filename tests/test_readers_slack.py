"""Each reader's form end to end: chosen in App Home and with `/nms settings`, kept in the database,
and applied wherever that reader asks; a brief answer's "Show the whole answer" shows it, with the
references, to whoever presses it."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Bot
from .payloads import payload
from .test_shortcut import shortcut, submission


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def whole_button(message: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in buttons(message) if b.get("text", {}).get("text") == "Show the whole answer")


def radios(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The choice radio buttons of a view or message, by action_id."""
    return {e["action_id"]: e for e in buttons(view) if e["type"] == "radio_buttons"}


def chosen(view: dict[str, Any]) -> dict[str, str]:
    return {a.split(":")[1]: r["initial_option"]["value"] for a, r in radios(view).items()}


def references_shown(message: dict[str, Any]) -> bool:
    """Are the reference texts in the message (citation lines "[1] Dr.Oracle ...")?"""
    return "[1] Dr.Oracle" in json.dumps(message["blocks"])


def open_home(bot: Bot, user: str = "U111") -> dict[str, Any]:
    before = len(bot.stub.sent("views.publish"))
    bot.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish")[before:])
    assert call["user_id"] == user
    return call["view"]


def press_in_home(bot: Bot, view: dict[str, Any], action_id: str, value: str, user: str = "U111") -> dict[str, Any]:
    """A radio button of the published home view pressed, as Slack sends it; the view published after."""
    radio = radios(view)[action_id]
    body = payload("block_actions_home_radio")
    body["user"]["id"] = user
    body["view"]["blocks"] = view["blocks"]
    body["actions"][0].update(
        action_id=action_id, selected_option=next(o for o in radio["options"] if o["value"] == value)
    )
    before = len(bot.stub.sent("views.publish"))
    assert bot.interactive(body) == (200, "")
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish")[before:])
    assert call["user_id"] == user
    return call["view"]


def mention_by(bot: Bot, user: str, text: str, ts: str) -> dict[str, Any]:
    """A mention by `user` in C123; the answer posted in its thread."""
    before = len(bot.stub.sent("chat.postMessage"))
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "ts": ts, "channel": "C123"}
    assert bot.event({**event, "event_ts": ts})[0] == 200
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage")[before:])
    assert post["thread_ts"] == ts
    return post


def press_whole(bot: Bot, message: dict[str, Any], user: str, thread_ts: str | None = None, **kw: Any) -> None:
    button = whole_button(message)
    assert bot.action(button["action_id"], button["value"], user=user, thread_ts=thread_ts, **kw)[0] == 200


def test_app_home_shows_the_choices_and_a_press_there_shapes_dms_and_the_messages_tab(bot: Bot):
    view = open_home(bot)
    assert chosen(view) == {"length": "full", "abbreviations": "short"}, "the defaults, selected"
    assert "Which best describes you?" in json.dumps(view)
    bot.dm("how is NMS treated?")
    [full] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert references_shown(full)

    view = press_in_home(bot, view, "nms_form:length", "brief")
    assert chosen(view) == {"length": "brief", "abbreviations": "short"}
    assert "Saved: brief answers" in json.dumps(view)
    assert bot.services.store.table_rows()["nms_reader_preferences"] == [
        {"user_id": "U111", "length": "brief", "abbreviations": "short"}
    ], "the user id and the choice only"
    assert chosen(open_home(bot)) == {"length": "brief", "abbreviations": "short"}, "kept"

    bot.dm("how is NMS treated?")
    bot.dm("how is NMS treated?", thread_ts="1700000001.000001")  # an assistant thread (Messages tab)
    brief_dm, brief_tab = bot.stub.wait_for(lambda: len(s := bot.stub.sent("chat.postMessage")[1:3]) == 2 and s)
    for brief in (brief_dm, brief_tab):
        assert brief["blocks"][0]["text"]["text"] == "NMS treatment: overview"
        assert not references_shown(brief) and "References:" not in brief["text"]
        assert "[1]" in json.dumps(brief["blocks"]), "the citation numbers stay"
        assert "Educational use only" in json.dumps(brief["blocks"]), "and the disclaimer"
        assert "Nonpharmacologic:" not in brief["text"], "a statement without a key phrase is left out"
        assert whole_button(brief)
    assert len(json.dumps(brief_dm["blocks"])) < len(json.dumps(full["blocks"])) * 0.75  # the overview: 3 of 4 kept

    press_in_home(bot, view, "nms_form:length", "full")
    assert bot.services.store.table_rows()["nms_reader_preferences"] == [], "back at the defaults: nothing kept"


def test_nms_settings_shows_and_sets_the_choices_and_slash_answers_follow_them(bot: Bot):
    reply = json.loads(bot.command("settings")[1])
    assert reply["response_type"] == "ephemeral"
    assert chosen(reply) == {"length": "full", "abbreviations": "short"}
    reply = json.loads(bot.command("settings spelled out")[1])
    assert "Saved: full answers with references, abbreviations spelled out" in reply["text"]
    assert chosen(reply) == {"length": "full", "abbreviations": "spelled_out"}

    answer = json.loads(bot.command("rhabdo?")[1])
    assert answer["blocks"][0]["text"]["text"] == (
        "Neuroleptic malignant syndrome (NMS): intravenous (IV) fluids: dehydration, elevated creatine kinase (CK), "
        "rhabdomyolysis"
    )
    assert "with IV fluids" in answer["text"], "spelled out on first use only"
    assert references_shown(answer)
    answer = json.loads(bot.command("ect")[1])  # a topic by id: the title already spells it out
    assert (
        answer["blocks"][0]["text"]["text"] == "Neuroleptic malignant syndrome (NMS): Electroconvulsive therapy (ECT)"
    )
    assert "electroconvulsive therapy (ECT)" not in json.dumps(answer["blocks"][1:])

    # A radio button pressed in the settings message (ephemeral): saved, the message updated in place.
    radio = radios(reply)["nms_form:length"]
    body = {
        "type": "block_actions",
        "user": {"id": "U111", "username": "dr", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1700000002.1", "channel_id": "C123", "is_ephemeral": True},
        "trigger_id": "1.2.x",
        "team": {"id": "T1", "domain": "hosp"},
        "channel": {"id": "C123", "name": "rounds"},
        "response_url": bot.stub.response_url("settings"),
        "actions": [
            {
                "type": "radio_buttons",
                "action_id": "nms_form:length",
                "block_id": "b2",
                "selected_option": radio["options"][1],
                "action_ts": "1700000003.1",
            }
        ],
    }
    assert bot.interactive(body) == (200, "")
    [updated] = bot.stub.wait_for(lambda: bot.stub.sent("/response/settings"))
    assert updated["replace_original"] is True
    assert chosen(updated) == {"length": "brief", "abbreviations": "spelled_out"}
    answer = json.loads(bot.command("rhabdo?")[1])
    assert not references_shown(answer) and whole_button(answer)

    reply = json.loads(bot.command("settings purple")[1])
    assert "did not understand" in reply["text"] and "/nms settings brief" in reply["text"]


def test_a_mention_is_answered_in_the_askers_form_and_anyone_can_see_the_whole_answer(bot: Bot):
    bot.command("settings brief")  # U111 reads brief answers
    bot.services.store.choose("U333", "abbreviations", "spelled_out")
    full = mention_by(bot, "U222", "on haldol, how is NMS treated?", "1700000100.000100")
    assert references_shown(full) and not [b for b in buttons(full) if b["text"]["text"] == "Show the whole answer"]

    ts = "1700000110.000100"
    brief = mention_by(bot, "U111", "should we give haldol for the agitation?", ts)
    assert brief["blocks"][0]["text"]["text"] == "NMS: Benzodiazepines for agitation"
    assert not references_shown(brief)
    # The first action the whole answer leads with, and the unnamed-drug note, are never left out.
    assert brief["text"].index("Discontinue the causative antipsychotic") < brief["text"].index("Consider")
    assert "The source does not name haldol" in brief["text"]

    press_whole(bot, brief, "U222", thread_ts=ts)  # someone else in the thread
    [shown] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert shown["user"] == "U222" and shown["channel"] == "C123" and shown["thread_ts"] == ts
    assert references_shown(shown) and "References:" in shown["text"]
    assert "Discontinue the causative antipsychotic" in shown["text"] and "does not name haldol" in shown["text"]
    assert "Adjunctive benzodiazepines" in shown["text"], "every statement"
    assert len(bot.stub.sent("chat.postMessage")) == 2, "shown to the one who pressed, nobody else"

    overview = mention_by(bot, "U111", "how is NMS treated?", "1700000120.000100")
    press_whole(bot, overview, "U333", thread_ts="1700000120.000100")  # a reader who spells abbreviations out
    [_, spelled] = bot.stub.wait_for(
        lambda: bot.stub.sent("chat.postEphemeral")[1:] and bot.stub.sent("chat.postEphemeral")
    )
    assert spelled["user"] == "U333"
    assert spelled["blocks"][0]["text"]["text"] == "Neuroleptic malignant syndrome (NMS) treatment: overview"
    assert references_shown(spelled)


def test_the_shortcut_answers_in_the_askers_form_and_its_whole_answer_comes_through_the_response_url(bot: Bot):
    bot.command("settings brief")
    opened = shortcut(bot)
    assert bot.interactive(submission(opened, "should we start dantrolene?")) == (200, "")
    [reply] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postEphemeral"))
    assert reply["blocks"][0]["text"]["text"] == "NMS: Dantrolene" and not references_shown(reply)
    press_whole(bot, reply, "U111", ephemeral=True)
    [whole] = bot.stub.wait_for(lambda: bot.stub.sent("/response/act"))
    assert whole["response_type"] == "ephemeral" and references_shown(whole)


def test_a_choice_made_on_one_instance_shapes_answers_from_another(stub, kb, tmp_path):
    from .conftest import start_bot

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, stop_one = start_bot(stub, kb, url)
    two, stop_two = start_bot(stub, kb, url)
    try:
        assert "Saved: brief answers" in json.loads(one.command("settings brief")[1])["text"]
        brief = mention_by(two, "U111", "should we give dantrolene?", "1700000200.000100")
        assert not references_shown(brief) and whole_button(brief)
    finally:
        stop_one()
        stop_two()


def test_a_choice_made_while_the_database_refuses_writes_says_it_was_not_saved(stub, kb, tmp_path):
    import sqlite3

    from .conftest import start_bot

    db = tmp_path / "locked.db"
    bot, stop = start_bot(stub, kb, f"sqlite:///{db}", db_timeout=0.5)
    bot.command("settings brief")
    locker = sqlite3.connect(db, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        reply = json.loads(bot.command("settings full")[1])
        assert "could not be saved" in reply["text"]
        assert chosen(reply) == {"length": "brief", "abbreviations": "short"}, "what is on record, read as it was"
    finally:
        locker.rollback()
        locker.close()
        stop()
