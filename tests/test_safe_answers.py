"""Answers whose first lines are safe on their own (issue: a clinician reads the first two lines)."""

from __future__ import annotations

from nms_bot.core.engine import Engine
from nms_bot.core.render import to_text

STOP = "Discontinue the causative antipsychotic."
CLASS_WIDE = "immediate discontinuation of antipsychotics"
BENZO_FIRST_LINE = "benzodiazepines as the first-line agent for agitation"


def statements(answer) -> list[str]:
    return [s.text.replace("*", "") for s in answer.statements]


def test_another_antipsychotic_for_agitation_leads_with_stopping_them_and_benzodiazepines(engine: Engine):
    for question in (
        "switch him to a different antipsychotic for the agitation? he has nms",
        "nms pt still combative, can i swap to seroquel for the agitation, it's milder right",
        "agitated nms pt, more haldol?",
    ):
        answer = engine.ask(question)
        assert answer.topic.id == "benzodiazepines", question
        first = statements(answer)[:3]
        assert first[0].startswith(STOP) and CLASS_WIDE in " ".join(statements(answer)), question
        assert any(BENZO_FIRST_LINE in s for s in first), (question, first)
        assert "different class" not in to_text(answer), question  # restarting is for later


def test_restarting_an_antipsychotic_later_is_still_the_rechallenge_answer(engine: Engine):
    answer = engine.ask("once the nms has resolved, which antipsychotic can we restart for his agitation?")
    assert answer.topic.id == "rechallenge"
    assert statements(answer)[0].startswith(STOP)  # the carry rule still leads with the first action


def test_an_alarming_what_now_without_a_drug_gets_the_first_actions(engine: Engine):
    answer = engine.ask("T 41.5 HR 150 BP 70/40 rigid and unresponsive, think nms. what now??")
    assert answer.topic.id == "overview"
    assert statements(answer)[0].startswith(STOP), "the first line read is the first action"
    lead = " ".join(statements(answer)[:4]).lower()
    assert "removal of the initiating agent" in lead and "stop the causative antipsychotic" in lead
    assert "cooling" in lead and "iv fluids" in lead
    # Whatever topic a next-step question about an NMS case gets, it leads with the first action.
    for question in ("intubated, CK 50,000, T 41, nms - priorities?", "life threatening NMS what next"):
        answer = engine.ask(question)
        assert answer.topic.id in ("overview", "supportive-care", "ect"), question
        first = statements(answer)[0]
        assert first.startswith(STOP) or "removal of the initiating agent" in first, (question, first)


def test_a_class_member_note_never_reads_as_not_applying(engine: Engine):
    answer = engine.ask("can we keep the haldol going in nms?")
    assert answer.topic.id == "stop-antipsychotic"
    [note] = answer.notes
    assert note == (
        "The source does not name haldol (haloperidol) specifically: what is shown is what it says of antipsychotics."
    )
    assert "nothing here is specific" not in note


def test_the_medications_answer_lists_ect_and_the_overall_result_beside_some_success(engine: Engine):
    text = " ".join(statements(engine.show("pharmacotherapy")))
    assert "some success" in text and "no statistically significant differences" in text
    assert "Electroconvulsive therapy (ECT) has been identified as a second-line treatment" in text
    assert text.index("no statistically significant") < text.index("subgroup analysis")


def test_the_source_wording_and_disclaimers_are_kept(engine: Engine):
    for topic_id in ("overview", "benzodiazepines", "pharmacotherapy"):
        text = " ".join(statements(engine.show(topic_id)))
        assert "management of symptoms" in text and "pharmacological interventions" in text, topic_id
    disclaimer = engine.knowledge.disclaimer
    assert "independently verified information" in disclaimer.short
    assert "Dr.Oracle" in disclaimer.full and "authors" not in disclaimer.full


def test_a_dose_of_the_antipsychotic_gets_no_line_to_look_it_up(engine: Engine):
    """ "Another dose of haldol?" must not read as "check the dose with your pharmacist"."""
    answer = engine.ask("pt on haloperidol, temp 40, rigid, very agitated - give another dose of haldol?")
    assert answer.notes[0] == engine.knowledge.safety.dose_note_first_action
    assert "discontinue the causative antipsychotic" in answer.notes[0]
    assert "immediate discontinuation of antipsychotics" in answer.notes[0]
    assert not any("pharmacist" in n for n in answer.notes)
    assert "pharmacist" in engine.ask("dantrolene dose in nms?").notes[0]  # no antipsychotic named


def test_a_drug_note_names_each_drug_once_and_claims_no_class_it_does_not_know(engine: Engine):
    assert engine.ask("should I give benztropine/cogentin for nms?").notes == (
        "The source does not name benztropine specifically: what is shown is what it says of anticholinergics.",
    )
    assert "The source does not mention acetaminophen." in engine.ask("acetaminophen for the fever in nms?").notes


def test_a_menu_for_a_dose_question_says_first_that_the_source_gives_none(engine: Engine):
    from nms_bot.slack.blocks.answers import answer_message

    answer = engine.ask("can i give risperdal 0.5 prn for psychosis while CK still 12k from nms")
    assert answer.status == "suggest" and answer.suggestions[0][0].id == "stop-antipsychotic"
    lines = to_text(answer).splitlines()
    menu = next(i for i, line in enumerate(lines) if line.startswith("  stop-antipsychotic"))
    assert lines[1] == f"Note: {engine.knowledge.safety.dose_note_first_action}"
    assert menu > 1  # the note comes before the menu
    blocks = answer_message(answer, "mention")["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert texts[1].startswith("*Note:* The source gives no doses.")
    # A menu for a question asking no dose carries no such line.
    assert not any("no doses" in n for n in engine.ask("nms").notes)


def test_naming_an_antipsychotic_puts_the_first_action_in_the_first_two_lines(engine: Engine):
    """Read on a phone, the heading and one line: for "haldol for the agitation?" that line is the stop."""
    from nms_bot.slack.blocks.answers import answer_message

    stop_line = f"Note: {engine.knowledge.safety.carry[0].note}"
    assert "causative antipsychotic" in stop_line and "immediate discontinuation of antipsychotics" in stop_line
    for question in ("NMS pt getting agitated, haldol 5 IM ok?", "restart haldol tomorrow? nms resolved"):
        answer = engine.ask(question)
        assert answer.status == "answer" and answer.topic.id != "stop-antipsychotic", question
        assert to_text(answer).splitlines()[1] == stop_line, question
        blocks = answer_message(answer, "mention")["blocks"]
        assert blocks[0]["type"] == "header" and blocks[1]["text"]["text"].startswith("*Note:* Of antipsychotics")
    # Its own answer says it in the title; a question naming no antipsychotic gets no such line.
    assert not any("Of antipsychotics" in n for n in engine.ask("stop the haldol in nms?").notes)
    assert not any("Of antipsychotics" in n for n in engine.ask("should we give dantrolene?").notes)


def test_the_pending_review_caution_comes_after_the_statements(engine: Engine):
    from nms_bot.slack.blocks.answers import answer_message

    answer = engine.ask("should we give dantrolene?")
    assert answer.caution
    text = to_text(answer)
    assert text.index(statements(answer)[-1][:40]) < text.index(answer.caution) < text.index("References:")
    kinds = [b["type"] for b in answer_message(answer, "mention")["blocks"]]
    assert kinds.index("alert") > max(i for i, k in enumerate(kinds) if k == "section")


def test_restarting_an_antipsychotic_now_during_nms_is_stopping_it(engine: Engine):
    """Second clinician review: "restart now" read as the rechallenge topic put "Restarting" first."""
    answer = engine.ask("pt psychotic & violent in ICU w NMS, psych wants to restart antipsychotic now")
    assert answer.topic.id == "benzodiazepines" and STOP in statements(answer)[0]
    assert engine.ask("can we restart haldol today in nms").topic.id == "stop-antipsychotic"
    # Once NMS is over, restarting is the rechallenge topic's.
    for question in (
        "nms resolved, restart antipsychotic now?",
        "nms 3 wks ago on haldol, psych wants abilify now - ok?",
    ):
        assert engine.ask(question).topic.id == "rechallenge", question


def test_the_first_title_read_says_nms_and_a_decline_carries_no_first_action(engine: Engine):
    answer = engine.ask("pt on zyprexa + abilify, NMS - stop both?")
    assert answer.topic.id == "stop-antipsychotic"  # "+" joins the two drugs the patient is on
    assert engine.ask("restart antipsychotic after nms and what to monitor?").heading.startswith("NMS: ")
    declined = engine.ask("haldol for ICU delirium dose")
    assert declined.topic is None and not any("Of antipsychotics" in n for n in declined.notes)


def test_a_menu_offers_the_first_action_first_unless_restarting_is_asked(engine: Engine):
    """A menu for a question naming an antipsychotic offers stopping it; first, unless the question
    asks about restarting one later, where restarting comes first and stopping next (its answer
    leads with the stop anyway). Another one for the agitation is never a restart."""

    def offered(question: str) -> list[str]:
        answer = engine.ask(question)
        assert answer.status == "suggest", question
        return [topic.id for topic, _ in answer.suggestions]

    for question in (
        "CK back to normal, ok to put him back on his haldol dec?",
        "can we restart his abilify at the old dose once CK is normal",
    ):
        assert offered(question)[:2] == ["rechallenge", "stop-antipsychotic"], question
    assert offered("can we just switch him to zyprexa for agitation since its atypical")[0] == "stop-antipsychotic"
