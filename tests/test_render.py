"""What an answer says: tiers, numbering, caution line, footer, JSON contract."""

from __future__ import annotations

import dataclasses
import datetime as dt

from nms_bot.core.engine import Engine
from nms_bot.core.model import Approval, Topic
from nms_bot.core.render import CAUTION, answer_topic, to_dict, to_text


def test_citations_are_numbered_by_first_use_and_listed_in_that_order(engine: Engine):
    answer = engine.ask("should we give dantrolene?")
    assert answer.topic.id == "dantrolene"
    assert [c.n for c in answer.citations] == [1, 2, 3, 4, 5]
    assert [c.key for c in answer.citations] == ["guideline-2025", "psychiatr-q-2001", "source-ref-5",
                                                 "source-ref-3", "source-ref-4"]
    assert [s.numbers for s in answer.statements] == [(1,), (2, 3, 4, 5), (4,)]


def test_guideline_statements_come_before_research(engine: Engine):
    for topic in engine.knowledge.topics.values():
        tiers = [s.tier for s in answer_topic(engine.knowledge, topic).statements]
        assert tiers == sorted(tiers, key=["guideline", "research"].index), topic.id


def test_text_leads_with_the_title_then_tiers_references_footer_disclaimer(engine: Engine):
    text = to_text(engine.ask("ECT"))
    lines = text.splitlines()
    assert lines[0] == "Electroconvulsive therapy (ECT)"
    order = [text.index(s) for s in ("From the guideline:", "From the research:", "References:",
                                     "Updated 2026-11-25 \u00b7 knowledge ", "Disclaimer: Educational")]
    assert order == sorted(order)
    assert "[4] Hashim H" in text and "https://jpma.org.pk/article-details/6310" in text


def approve(topic: Topic) -> Topic:
    return dataclasses.replace(topic, approval=Approval(topic.id, "Dr A <b>", dt.date(2026, 11, 20), "",
                                                        "sha256:" + "0" * 64, ("title: x",)))


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
    assert set(d) >= {"question", "status", "topic", "score", "suggestions", "citations", "disclaimer", "text",
                      "updated", "review", "knowledge_version", "bullets"}
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
