"""Block Kit rendering: Slack's limits met by splitting, nothing dropped, nothing live."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from nms_bot.core.compose import answer_topic
from nms_bot.core.engine import Engine
from nms_bot.core.model import Bullet, Reference, Topic
from nms_bot.slack.blocks.answers import answer_message
from nms_bot.slack.blocks.home import help_message, home_view, topics_message

from .blockkit import check_message, check_view


def limits_ok(message: dict) -> None:
    check_message(message)
    blocks = message["blocks"]
    assert len(blocks) <= 50
    assert len(message["text"]) <= 40000
    for b in blocks:
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            assert 1 <= len(b["text"]["text"]) <= 3000
        if b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e["action_id"]) <= 255 and len(e["value"]) <= 2000


def big_answer(engine: Engine):
    """A topic at the edge of what validation allows, with 30 references and 30 related topics."""
    k = engine.knowledge
    refs = {
        f"ref-{i}": Reference(
            f"ref-{i}", f"Author {i}. A very long title {'x' * 200}. Journal, 2020.", f"https://doi.org/10.1/{i}"
        )
        for i in range(30)
    }
    bullets = tuple(
        Bullet(
            f"Statement {i} <!channel> & <@U1> " + "y" * 240,
            "guideline" if i % 2 else "research",
            (f"ref-{i}", f"ref-{(i + 1) % 30}"),
        )
        for i in range(30)
    )
    related = {f"rel-{i}": dataclasses.replace(k.topics["ect"], id=f"rel-{i}", title="R" * 150) for i in range(30)}
    topic = Topic("big", "T" * 150, ("q",) * 5, (), bullets, tuple(related), dt.date(2026, 1, 1), "draft")
    knowledge = dataclasses.replace(
        k, topics={**k.topics, **related, "big": topic}, references={**k.references, **refs}
    )
    return answer_topic(knowledge, topic)


def test_limits_are_met_by_splitting_and_nothing_is_dropped(engine: Engine):
    answer = big_answer(engine)
    message = answer_message(answer, "command", share=True, phi_reminder=True)
    limits_ok(message)
    text = json.dumps(message["blocks"])
    for c in answer.citations:
        assert f"[{c.n}] Author" in text
    assert engine.knowledge.disclaimer.short in text and "Pending clinical review" in text
    assert text.count("Statement ") == 30
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 30 + 3  # related, share, helpful, not helpful


def test_knowledge_text_is_escaped(engine: Engine):
    text = json.dumps(answer_message(big_answer(engine), "mention"))
    assert "<!channel>" not in text and "<@U1>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in text


def test_every_real_answer_fits_and_shows_tiers_guideline_first(engine: Engine):
    for topic in engine.knowledge.topics.values():
        message = answer_message(answer_topic(engine.knowledge, topic), "dm")
        limits_ok(message)
        sections = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
        tiers = [s.split("\n")[0] for s in sections if s.startswith("*From the")]
        assert tiers == [
            t for t in ("*From the guideline*", "*From the research*") if any(b.tier in t for b in topic.body)
        ]
        kinds = [b["type"] for b in message["blocks"]]
        assert kinds[0] == "header" and kinds[-1] == "actions"  # the point first, buttons last
        footer = json.dumps(message["blocks"][-2])
        assert "Updated 2026-11-25" in footer and f"knowledge {engine.knowledge.version}" in footer
        assert engine.knowledge.disclaimer.short in footer
        last = answer_topic(engine.knowledge, topic).citations[-1].n
        assert f"[{last}] " in json.dumps(message["blocks"][-3]), "citations come right before the disclaimer"


def test_suggestions_decline_help_and_home_fit(engine: Engine):
    for q in ("kidney", "hello", "serotonin syndrome"):
        limits_ok(answer_message(engine.ask(q), "dm"))
    limits_ok(help_message(engine.knowledge))
    limits_ok(topics_message(engine.knowledge))
    check_view(home_view(engine.knowledge))


def test_site_that_approved_nothing_gets_valid_messages(engine: Engine):
    strict = Engine.from_knowledge(engine.knowledge, approved_only=True)
    decline = answer_message(strict.ask("dantrolene"), "dm")
    limits_ok(decline)
    limits_ok(help_message(strict.knowledge))
    limits_ok(topics_message(strict.knowledge, 3))
    check_view(home_view(strict.knowledge))
    assert "No topic is available" in json.dumps(decline["blocks"])


def test_approved_answer_says_who_reviewed_it_in_the_footer_and_drops_the_caution(engine: Engine):
    from .test_render import approve

    topic = engine.knowledge.topics["cooling"]
    message = answer_message(answer_topic(engine.knowledge, approve(topic)), "dm")
    footer = json.dumps(message["blocks"][-2])
    assert "Reviewed by Dr A &lt;b&gt; on 2026-11-20 \\u00b7 Updated 2026-11-25" in footer
    assert "Pending clinical review" not in json.dumps(message["blocks"])
    pending = answer_message(answer_topic(engine.knowledge, topic), "dm")
    assert "Pending clinical review" in json.dumps(pending["blocks"]) and "Reviewed by" not in json.dumps(pending)


def test_a_safe_answer_in_slack_leads_with_the_first_action_and_shows_its_notes(engine: Engine):
    answer = engine.ask("haloperidol dose for agitation in nms?")
    message = answer_message(answer, "mention")
    limits_ok(message)
    blocks = message["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    guideline = next(s for s in sections if s.startswith("*From the guideline*"))
    assert guideline.splitlines()[1].startswith("\u2022 *Discontinue the causative antipsychotic.*")
    notes = next(s for s in sections if s.startswith("*Note:*"))
    assert "The source gives no doses" in notes and "does not name haloperidol" in notes
    footer = json.dumps([b for b in blocks if b["type"] == "context"])
    assert "pending human review" in footer
    assert "Note: The source gives no doses" in message["text"]
