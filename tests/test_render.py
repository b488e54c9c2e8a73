"""What an answer says: tiers, numbering, caution line, footer, JSON contract."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from nms_bot.core.compose import CAUTION, answer_topic
from nms_bot.core.engine import Engine
from nms_bot.core.model import Approval, Topic
from nms_bot.core.render import plain, to_dict, to_text


def test_citations_carry_the_sources_own_numbers_in_every_answer(engine: Engine):
    """The same paper has the same number in every answer, the one the source page gives it."""
    answer = engine.ask("should we give dantrolene?")
    assert answer.topic.id == "dantrolene"
    assert [(c.n, c.key) for c in answer.citations] == [
        (1, "guideline-2025"),
        (2, "psychiatr-q-2001"),
        (3, "source-ref-3"),
        (4, "source-ref-4"),
        (5, "source-ref-5"),
    ]
    # The source cites dantrolene's statement as "2, 5, 3, 4"; so does the answer.
    assert [s.numbers for s in answer.statements] == [(1,), (2, 5, 3, 4), (3,)]
    numbers = {}
    for topic in engine.knowledge.topics.values():
        for c in answer_topic(engine.knowledge, topic).citations:
            assert numbers.setdefault(c.key, c.n) == c.n, (topic.id, c.key)
    assert numbers["jpma-2014"] == 6


def test_every_answer_says_in_its_first_line_that_it_is_about_nms(engine: Engine):
    for topic in engine.knowledge.topics.values():
        first = to_text(answer_topic(engine.knowledge, topic)).splitlines()[0]
        assert "NMS" in first and topic.title in first, first


def test_a_dose_or_frequency_question_leads_with_the_no_doses_line(engine: Engine):
    for question in (
        "bromocriptine dose in nms",
        "how often do we give dantrolene in nms",
        "how long do we give bromocriptine for nms",
    ):
        lines = to_text(engine.ask(question)).splitlines()
        assert lines[1].startswith("Note: The source gives no doses"), (question, lines[:3])
        assert "frequencies or durations" in lines[1]


def test_guideline_statements_come_before_research(engine: Engine):
    for topic in engine.knowledge.topics.values():
        tiers = [s.tier for s in answer_topic(engine.knowledge, topic).statements]
        assert tiers == sorted(tiers, key=["guideline", "research"].index), topic.id


def test_text_leads_with_the_title_then_tiers_references_footer_disclaimer(engine: Engine):
    text = to_text(engine.ask("ECT"))
    lines = text.splitlines()
    assert lines[0] == "NMS: Electroconvulsive therapy (ECT)"
    order = [
        text.index(s)
        for s in (
            "From the guideline:",
            "From the research:",
            "References:",
            "Updated 2026-11-25 \u00b7 knowledge ",
            "Disclaimer: Educational",
        )
    ]
    assert order == sorted(order)
    assert "[6] Hashim H" in text and "https://jpma.org.pk/article-details/6310" in text


def approve(topic: Topic) -> Topic:
    return dataclasses.replace(
        topic, approval=Approval(topic.id, "Dr A <b>", dt.date(2026, 11, 20), "", "sha256:" + "0" * 64, ("title: x",))
    )


def test_unapproved_topic_carries_the_caution_line_and_approved_does_not(engine: Engine):
    topic = engine.knowledge.topics["cooling"]
    assert not topic.approved
    text = to_text(answer_topic(engine.knowledge, topic))
    assert CAUTION in text and "Reviewed by" not in text
    text = to_text(answer_topic(engine.knowledge, approve(topic)))
    assert CAUTION not in text
    assert "Reviewed by Dr A <b> on 2026-11-20 \u00b7 Updated 2026-11-25" in text.splitlines()[-3]


def test_approved_only_hides_unapproved_topics(engine: Engine):
    knowledge = engine.knowledge
    topics = dict(knowledge.topics)
    topics["cooling"] = approve(topics["cooling"])
    strict = Engine.from_knowledge(dataclasses.replace(knowledge, topics=topics), approved_only=True)
    assert list(strict.knowledge.topics) == ["cooling"]
    assert strict.ask("cooling blankets").topic.id == "cooling"
    assert strict.ask("dantrolene").status == "none"
    assert strict.knowledge.topics["cooling"].related == ()


def test_json_contract(engine: Engine):
    d = to_dict(engine.ask("rhabdo?"))
    assert set(d) >= {
        "question",
        "status",
        "topic",
        "score",
        "suggestions",
        "citations",
        "disclaimer",
        "text",
        "updated",
        "review",
        "knowledge_version",
        "bullets",
    }
    assert d["status"] == "answer" and d["topic"] == {"id": "fluids", "title": d["topic"]["title"]}
    assert 0 <= d["score"] <= 100 and d["suggestions"] == []
    assert d["citations"][0] == {"n": 1, "key": "guideline-2025", "text": d["citations"][0]["text"], "url": None}
    assert d["updated"] == "2026-11-25" and d["review"] == "under-review" and d["approval"] is None
    assert {b["tier"] for b in d["bullets"]} == {"guideline", "research"}
    d = to_dict(engine.ask("kidney"))
    assert d["status"] == "suggest" and d["topic"] is None and d["citations"] == []
    assert all(set(s) == {"id", "title", "score"} for s in d["suggestions"])
    d = to_dict(engine.ask("hello"))
    assert d["status"] == "none" and d["suggestions"] == [] and d["disclaimer"]


def test_decline_lists_what_the_bot_can_answer(engine: Engine):
    text = to_text(engine.ask("treatment of anaphylaxis"))
    assert "a question about anaphylaxis; I only cover the treatment of" in text
    assert all(t in text for t in engine.knowledge.topics)


STOP = "Discontinue the causative antipsychotic."


@pytest.mark.parametrize(
    "question",
    [
        "can we give some haldol for the agitation, she has nms",
        "bump up the zyprexa? pt w nms still psychotic",
        "nms pt combative, ok to give IM olanzapine?",
        "continue clozapine during NMS at half the dose?",
        "keep the depot going in nms?",
        "antipsychotic for psychosis during NMS",
        "typical or atypical antipsychotic ok in nms?",
    ],
)
def test_no_answer_about_giving_an_antipsychotic_leaves_out_the_first_action(engine, question):
    answer = engine.ask(question)
    if answer.status == "answer":
        assert STOP in plain(answer.statements[0].text), question
    else:
        assert answer.suggestions[0][0].id == "stop-antipsychotic", question


def test_the_first_action_leads_answers_about_other_topics_and_is_cited(engine):
    answer = engine.ask("haloperidol for agitation in nms")
    assert answer.topic.id == "benzodiazepines" and answer.carried == ("stop-antipsychotic",)
    first = answer.statements[0]
    assert STOP in plain(first.text) and first.tier == "guideline" and first.numbers == (1,)
    assert answer.citations[0].key == "guideline-2025"
    # A topic whose own text already says it is not led twice.
    assert engine.ask("pt on haldol, nms, overview of treatment").carried == ()


@pytest.mark.parametrize(
    "question",
    [
        "lorazepam dose nms",
        "how much dantrolene in NMS",
        "IVF rate for nms",
        "bromocriptine 2.5 mg nms?",
        "bolus 2L NS for rhabdo?",
        "bromocriptine 2.5 tid ok in nms",
        "what strength ativan for nms agitation",
    ],
)
def test_a_dose_question_gets_its_topic_and_one_line_that_the_source_gives_no_doses(engine, question):
    answer = engine.ask(question)
    assert answer.status == "answer"
    assert engine.knowledge.safety.dose_note in answer.notes
    assert "Note: The source gives no doses" in to_text(answer)


def test_a_rate_that_is_not_a_dose_gets_no_dose_line(engine):
    answer = engine.ask("mortality rate dantrolene vs bromocriptine")
    assert answer.status == "answer" and engine.knowledge.safety.dose_note not in answer.notes


def test_a_drug_the_source_does_not_name_is_said_so(engine):
    answer = engine.ask("amantadine for NMS?")
    assert answer.topic.id == "bromocriptine"
    assert (
        "The source does not name amantadine specifically: what is shown is what it says of "
        "bromocriptine and other dopaminergic drugs." in answer.notes
    )
    assert "amantadine" not in " ".join(s.text.lower() for s in answer.statements)


def test_every_answer_says_the_source_itself_is_pending_review(engine):
    status = engine.knowledge.source.status
    assert "pending human review" in status
    for question in ("dantrolene", "hello", "kidney"):
        assert status in to_text(engine.ask(question))
    assert to_dict(engine.ask("dantrolene"))["source_status"] == status


def test_json_bullets_are_plain_text(engine):
    d = to_dict(engine.ask("ECT"))
    assert "*" not in " ".join(b["text"] for b in d["bullets"])
    assert any("*" in s.text for s in engine.ask("ECT").statements), "the Block Kit text keeps its markup"


def test_content_review_fixes_hold(engine):
    topics = engine.knowledge.topics
    text = {tid: " ".join(b.text for b in t.body) for tid, t in topics.items()}
    for tid in ("rechallenge", "monitoring"):
        assert "must be resumed later" in text[tid] and "a different class" in text[tid], tid
    for tid, body in text.items():
        if "lower mortality" in body:  # the severe-NMS result, never without the overall one
            assert "subgroup analysis" in body and "no statistically significant" in body, tid
    assert "lack of response to other treatments" in text["overview"] and "life-threatening" in text["overview"]
    assert not any("begins with" in body for body in text.values())
    assert "judicious use of anticholinergics" in text["pharmacotherapy"]
    assert "*judicious" not in text["pharmacotherapy"]
    assert "compared in several studies, with varying results" in text["evidence"]


def test_a_decline_names_what_it_recognised_and_never_echoes_the_question(engine):
    text = to_text(engine.ask("Xylophone-9 treatment of anaphylaxis for MRN 445566"))
    assert "a question about anaphylaxis" in text
    assert "xylophone" not in text.lower() and "445566" not in text
    text = to_text(engine.ask("zzqx blorp"))
    assert "zzqx" not in text and "I won't guess" in text


def test_a_question_about_two_topics_gets_one_answer_with_both(engine: Engine):
    answer = engine.ask("cooling + fluids in nms, what's recommended for each")
    assert (answer.topic.id, *(t.id for t in answer.joined)) == ("cooling", "fluids")
    assert to_text(answer).startswith(f"NMS: {answer.topic.title} + {answer.joined[0].title}\n")
    texts = [s.text for s in answer.statements]
    assert any("cooling" in t for t in texts) and any("IV fluids" in t for t in texts)
    assert len(texts) == len(set(texts))  # a statement both topics hold is said once
    assert to_dict(answer)["joined"] == [{"id": "fluids", "title": answer.joined[0].title}]
    # One topic asked about clearly is answered alone.
    assert engine.ask("should we give dantrolene?").joined == ()


def test_a_statement_an_earlier_one_already_says_is_not_repeated(engine: Engine):
    answer = engine.ask("ativan for the agitation and bromo for the rigidity?")
    assert [t.id for t in answer.joined] == ["bromocriptine"]
    focuses = [s.text for s in answer.statements if s.text.startswith("Treatment focuses on supportive care")]
    assert len(focuses) == 1 and "benzodiazepines may be used" in focuses[0]  # the whole one is kept
    # A topic shown alone keeps every statement it has.
    for topic_id, topic in engine.knowledge.topics.items():
        assert len(engine.show(topic_id).statements) == len(topic.bullets_in_order()), topic_id
