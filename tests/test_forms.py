"""Answers in each reader's form (core/forms.py): brief and spelled-out answers say only what the
full answer says; the abbreviations table is validated like the other knowledge files; the choice
is kept per user; `nms-bot ask --brief --spell-out` and its JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nms_bot.core.engine import Engine
from nms_bot.core.forms import DEFAULT, Form, form_given, in_form
from nms_bot.core.loader import load_knowledge
from nms_bot.core.render import BRIEF_NOTE, to_text
from nms_bot.storage.store import Store

from .test_cli import run
from .test_knowledge import edit, errors

BRIEF = Form("brief", "short")
SPELLED = Form("full", "spelled_out")
QUESTIONS = (
    "should we give dantrolene?",
    "can we give some haldol for the agitation?",  # the first action is carried
    "how is NMS treated?",
    "bromo dose",  # the no-dose note
    "geodon and NMS: ECT?",  # an unnamed drug
    "evidence for dantrolene vs supportive care",
    "rhabdo?",
)


def test_brief_answers_are_shorter_where_the_topic_has_statements_to_spare(engine: Engine):
    shorter = [q for q in QUESTIONS if len(in_form(engine.ask(q), BRIEF).statements) < len(engine.ask(q).statements)]
    assert len(shorter) >= 3, shorter


def unspelled(text: str, table: dict[str, str]) -> str:
    """The text with every "expansion (ABBR)" put back to "ABBR"."""
    for abbreviation, expansion in table.items():
        text = re.sub(rf"{re.escape(expansion)} \({abbreviation}\)", abbreviation, text, flags=re.IGNORECASE)
    return text


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_brief_answer_keeps_whole_statements_the_first_action_notes_and_disclaimer(engine: Engine, question: str):
    full = engine.ask(question)
    brief = in_form(full, BRIEF)
    assert full.status == "answer" and brief.brief
    kept = list(brief.statements)
    assert kept == [s for s in full.statements if s in kept], "statements as written, in order, with their numbers"
    dropped = [s for s in full.statements if s not in kept]
    # Only unbolded research statements go; a topic with nothing else keeps every statement.
    assert all(s.tier == "research" and "*" not in s.text for s in dropped), dropped
    assert kept[: len(full.carried) + 1] == list(full.statements[: len(full.carried) + 1]), "the first action leads"
    assert all(s in kept for s in full.statements if s.tier == "guideline")
    assert brief.notes == full.notes and brief.citations == full.citations and brief.caution == full.caution
    text = to_text(brief)
    assert BRIEF_NOTE in text and "References:" not in text and f"Disclaimer: {full.disclaimer}" in text
    for s in kept:
        assert f"[{','.join(map(str, s.numbers))}]" in text


def test_the_brief_form_never_drops_stopping_the_antipsychotic(engine: Engine):
    for question in ("can we give some haldol for the agitation?", "on quetiapine, cooling?", "how is NMS treated"):
        full = engine.ask(question)
        stop = [s for s in full.statements if "causative antipsychotic" in s.text]
        assert stop and all(s in in_form(full, BRIEF).statements for s in stop), question
    for topic in engine.knowledge.topics:
        answer = engine.show(topic)
        assert answer and in_form(answer, BRIEF).statements[0] == answer.statements[0], topic


def test_a_brief_answer_keeps_what_a_kept_statement_must_not_be_shown_without(kb: Path):
    # Without its key phrase, the overall result would be left out, but the subgroup result (kept
    # for its own) must never be shown without it (safety.yaml's statement pairs).
    edit(
        kb / "topics" / "evidence.yaml",
        "found *no statistically significant differences*",
        "found no statistically significant differences",
    )
    engine = Engine.from_knowledge(load_knowledge(kb))
    brief = in_form(engine.show("evidence"), BRIEF)
    texts = [s.text for s in brief.statements]
    assert any("subgroup analysis" in t for t in texts) and any("no statistically significant" in t for t in texts)
    assert not any("drug-resistant" in t for t in texts)


@pytest.mark.parametrize("question", QUESTIONS)
def test_spelled_out_answers_only_add_what_abbreviations_stand_for_on_first_use(engine: Engine, question: str):
    table = engine.knowledge.abbreviations
    full = engine.ask(question)
    spelled = in_form(full, SPELLED)
    # Put back to the abbreviations alone, both read the same: only expansions were added.
    assert unspelled(spelled.heading, table) == unspelled(full.heading, table)
    assert [unspelled(s.text, table) for s in spelled.statements] == [unspelled(s.text, table) for s in full.statements]
    assert [unspelled(n, table) for n in spelled.notes] == [unspelled(n, table) for n in full.notes]
    assert spelled.spelled_out or question == "can we give some haldol for the agitation?"  # it uses none
    shown = to_text(spelled)
    for abbreviation in spelled.spelled_out or ():
        assert len(re.findall(rf"{table[abbreviation]} \({abbreviation}\)", shown, flags=re.IGNORECASE)) == 1


def test_spelling_out_reads_naturally_and_respects_text_that_already_spells_out(engine: Engine):
    overview = in_form(engine.show("overview"), SPELLED)
    assert overview.topic.title == "Neuroleptic malignant syndrome (NMS) treatment: overview"
    assert "intravenous (IV) fluids" in overview.statements[1].text
    assert "elevated creatine kinase (CK) and rhabdomyolysis" in overview.statements[1].text
    assert "Monitor vital signs, CK and renal function" in overview.statements[2].text, "later uses stay short"
    ect = in_form(engine.show("ect"), SPELLED)
    assert ect.heading == "Neuroleptic malignant syndrome (NMS): Electroconvulsive therapy (ECT)"
    assert ect.spelled_out == ("NMS",)
    assert ect.statements[0].text.startswith("*ECT may be considered"), "the title spelled it out already"
    both = in_form(engine.show("ect"), Form("brief", "spelled_out"))
    assert both.brief and both.spelled_out == ("NMS",), "the heading names NMS, brief or not"


def test_suggestions_and_declines_are_given_as_they_are(engine: Engine):
    for question in ("nms in cats", "serotonin syndrome", "hello"):
        answer = engine.ask(question)
        shaped = in_form(answer, Form("brief", "spelled_out"))
        assert shaped == answer and form_given(shaped) == {
            "length": "full",
            "abbreviations": "short",
            "spelled_out": [],
        }
    assert in_form(engine.ask("cooling"), DEFAULT) == engine.ask("cooling")


def test_the_abbreviations_table_is_validated_with_file_and_line(kb: Path):
    path = kb / "abbreviations.yaml"
    text = path.read_text()
    path.write_text(text + "mg: milligram\nDVT: ''\nICUs: intensive care units (ICUs)\nVTE: [venous]\n")
    lines = {n: len(text.splitlines()) + n for n in range(1, 5)}
    found = errors(kb)
    assert f"{path}:{lines[1]}: 'mg' is not an abbreviation" in "\n".join(found)
    assert f"{path}:{lines[2]}: 'DVT' must be non-empty text, found empty text" in found
    assert any(e.startswith(f"{path}:{lines[3]}: 'ICUs' stands for") and "uses 'ICUs' itself" in e for e in found)
    assert f"{path}:{lines[4]}: 'VTE' must be non-empty text, found a list" in found
    path.write_text(text + "CK: creatine phosphokinase\n")
    assert any("duplicate key 'CK'" in e for e in errors(kb))
    path.unlink()  # optional: without it, nothing is spelled out
    engine = Engine.from_knowledge(load_knowledge(kb))
    assert in_form(engine.show("overview"), SPELLED).topic.title == "NMS treatment: overview"


def test_each_readers_choice_is_kept_alone_and_nothing_once_back_at_the_defaults(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'f.db'}", timeout=None)
    try:
        assert store.reader_form("U1") == DEFAULT
        store.choose("U1", "length", "brief")
        assert store.choose("U1", "abbreviations", "spelled_out") == Form("brief", "spelled_out")
        assert store.reader_form("U2") == DEFAULT, "per user"
        assert store.table_rows()["nms_reader_preferences"] == [
            {"user_id": "U1", "length": "brief", "abbreviations": "spelled_out"}
        ]
        with pytest.raises(ValueError):
            store.choose("U1", "length", "tiny")
        store.choose("U1", "length", "full")
        store.choose("U1", "abbreviations", "short")
        assert store.table_rows()["nms_reader_preferences"] == []
    finally:
        store.close()


def test_ask_brief_and_spell_out_on_the_command_line_and_in_json():
    r = run("ask", "--brief", "should we give dantrolene?")
    assert r.returncode == 0 and r.stdout.startswith("NMS: Dantrolene\n")
    assert BRIEF_NOTE in r.stdout and "References:" not in r.stdout and "[1] Dr.Oracle" not in r.stdout
    assert "[1]" in r.stdout and "Disclaimer: Educational use only" in r.stdout
    r = run("ask", "--spell-out", "rhabdo?")
    assert r.stdout.startswith(
        "Neuroleptic malignant syndrome (NMS): intravenous (IV) fluids: dehydration, elevated creatine kinase (CK), "
        "rhabdomyolysis\n"
    )
    assert "[1] Dr.Oracle" in r.stdout
    lines = [
        json.loads(line)
        for line in run(
            "ask", "--json", "--brief", "--spell-out", stdin="how is NMS treated?\nhello\n"
        ).stdout.splitlines()
    ]
    spelled = ["NMS", "IV", "CK", "ECT"]
    assert lines[0]["form"] == {"length": "brief", "abbreviations": "spelled_out", "spelled_out": spelled}
    assert "References:" not in lines[0]["text"] and lines[0]["citations"], "the numbers still resolve"
    assert lines[1]["form"] == {"length": "full", "abbreviations": "short", "spelled_out": []}, "nothing to shorten"
    default = json.loads(run("ask", "--json", "how is NMS treated?").stdout)
    assert default["form"] == {"length": "full", "abbreviations": "short", "spelled_out": []}
    assert len(default["bullets"]) > len(lines[0]["bullets"])
