"""Turn a match into an Answer (what to say), and an Answer into plain text or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .matcher import Match
from .model import TIER_LABELS, TIERS, Knowledge, Topic

CAUTION = "Pending clinical review: this topic has not yet been approved by the clinical editors."
EXAMPLE = "should we give dantrolene?"
BULLET = "\u2022"


@dataclass(frozen=True)
class Citation:
    n: int
    key: str
    text: str
    url: str | None


@dataclass(frozen=True)
class Statement:
    text: str
    tier: str
    numbers: tuple[int, ...]

    def line(self) -> str:
        return f"{BULLET} {self.text} [{','.join(map(str, self.numbers))}]"


@dataclass(frozen=True)
class Answer:
    """Everything an adapter needs to show one reply, whatever the surface."""

    question: str
    status: str  # answer | suggest | none
    knowledge: Knowledge
    score: int = 0
    topic: Topic | None = None
    statements: tuple[Statement, ...] = ()
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[tuple[Topic, int], ...] = ()
    reason: str = ""
    scope: tuple[str, str] | None = None

    @property
    def disclaimer(self) -> str:
        return self.knowledge.disclaimer.short

    @property
    def related(self) -> tuple[Topic, ...]:
        if not self.topic:
            return ()
        topics = self.knowledge.topics
        return tuple(topics[r] for r in self.topic.related if r in topics)

    @property
    def caution(self) -> str | None:
        return CAUTION if self.topic and not self.topic.approved else None

    @property
    def footer(self) -> str:
        version = f"knowledge {self.knowledge.version}"
        if not self.topic:
            return version
        approval = self.topic.approval  # only set while the approved text is unchanged
        reviewed = f"Reviewed by {approval.by} on {approval.date.isoformat()} \u00b7 " if approval else ""
        return f"{reviewed}Updated {self.topic.updated.isoformat()} \u00b7 {version}"

    def by_tier(self) -> list[tuple[str, list[Statement]]]:
        return group_by_tier(self.statements)


def number_statements(topic: Topic) -> tuple[list[Statement], dict[str, int]]:
    """The topic's statements, guideline first, with citations numbered by first use."""
    numbers: dict[str, int] = {}
    statements = []
    for bullet in topic.bullets_in_order():
        for key in bullet.cite:
            numbers.setdefault(key, len(numbers) + 1)
        statements.append(Statement(bullet.text, bullet.tier, tuple(numbers[k] for k in bullet.cite)))
    return statements, numbers


def answer_topic(knowledge: Knowledge, topic: Topic, question: str = "", score: int = 100) -> Answer:
    """The Answer that shows one topic."""
    statements, numbers = number_statements(topic)
    refs = knowledge.references
    citations = tuple(Citation(n, k, refs[k].text, refs[k].url) for k, n in numbers.items())
    return Answer(question, "answer", knowledge, score, topic, tuple(statements), citations)


def build_answer(knowledge: Knowledge, match: Match, question: str) -> Answer:
    """The Answer for a matcher verdict."""
    if match.status == "answer" and match.topic_id in knowledge.topics:
        return answer_topic(knowledge, knowledge.topics[match.topic_id], question, round(match.score * 100))
    suggestions = tuple(
        (knowledge.topics[tid], round(score * 100))
        for tid, score in match.suggestions
        if tid in knowledge.topics
    )
    status = "suggest" if suggestions else "none"
    return Answer(question, status, knowledge, round(match.score * 100), suggestions=suggestions,
                  reason=match.reason, scope=match.scope)


def group_by_tier(statements: list[Statement] | tuple[Statement, ...]) -> list[tuple[str, list[Statement]]]:
    """Statements under their tier label, guideline first."""
    groups = [(t, [s for s in statements if s.tier == t]) for t in TIERS]
    return [(TIER_LABELS[t], items) for t, items in groups if items]


def section_texts(topic: Topic) -> list[tuple[str, str]]:
    """(tier label, text) of each body section as shown, for the length check."""
    statements, _ = number_statements(topic)
    return [(label, "\n".join(s.line() for s in items)) for label, items in group_by_tier(statements)]


def intro(answer: Answer) -> str:
    """One sentence that leads a reply without a topic: suggestion, decline or how-to."""
    if answer.status == "suggest":
        return "I'm not sure which topic you mean. Did you mean one of these?"
    if answer.reason == "greeting":
        return (f"Hi! I look up how neuroleptic malignant syndrome (NMS) is treated. "
                f"Ask a question, e.g. \u201c{EXAMPLE}\u201d, or name a topic below.")
    if answer.scope and answer.scope[0] == "conditions":
        return (f"I only cover the treatment of neuroleptic malignant syndrome (NMS), not "
                f"{answer.scope[1]}. Here is what I can answer.")
    if answer.scope:
        return "I can't help with that: I only answer questions about treating NMS. Here is what I can answer."
    return "I'm not sure what you're asking, and I won't guess. Here is what I can answer about NMS treatment."


NO_TOPICS = "(no topics are available: with NMS_APPROVED_ONLY=1 only approved topics are answered)"


def topic_list(knowledge: Knowledge) -> list[Topic]:
    return sorted(knowledge.topics.values(), key=lambda t: t.title.lower())


def to_text(answer: Answer) -> str:
    """The reply as a person reads it in a terminal."""
    lines: list[str] = []
    if answer.topic:
        lines.append(answer.topic.title)
        if answer.caution:
            lines.append(f"\u26a0 {answer.caution}")
        for label, items in answer.by_tier():
            # Slack's *bold* markers mean nothing in a terminal.
            lines += ["", f"{label}:"] + [s.line().replace("*", "") for s in items]
        lines += ["", "References:"]
        lines += [f"[{c.n}] {c.text}" + (f" {c.url}" if c.url and c.url not in c.text else "")
                  for c in answer.citations]
        if answer.related:
            lines += ["", "Related: " + ", ".join(t.id for t in answer.related)]
        lines += ["", answer.footer]
    else:
        lines.append(intro(answer))
        if answer.suggestions:
            lines += [f"  {t.id}: {t.title}" for t, _ in answer.suggestions]
        else:
            lines += [f"  {t.id}: {t.title}" for t in topic_list(answer.knowledge)] or [f"  {NO_TOPICS}"]
        lines += ["", answer.footer]
    lines.append(f"Disclaimer: {answer.disclaimer}")
    return "\n".join(lines)


def to_dict(answer: Answer) -> dict[str, Any]:
    """The reply as the JSON object `nms-bot ask --json` prints."""
    topic = answer.topic
    return {
        "question": answer.question,
        "status": answer.status,
        "topic": {"id": topic.id, "title": topic.title} if topic else None,
        "score": answer.score,
        "suggestions": [{"id": t.id, "title": t.title, "score": s} for t, s in answer.suggestions],
        "citations": [{"n": c.n, "key": c.key, "text": c.text, "url": c.url} for c in answer.citations],
        "bullets": [{"text": s.text, "tier": s.tier, "citations": list(s.numbers)} for s in answer.statements],
        "related": [{"id": t.id, "title": t.title} for t in answer.related],
        "reason": answer.reason or None,
        "updated": topic.updated.isoformat() if topic else None,
        "review": topic.review_state if topic else None,
        "approval": ({"by": topic.approval.by, "date": topic.approval.date.isoformat(),
                      "fingerprint": topic.approval.fingerprint} if topic and topic.approval else None),
        "knowledge_version": answer.knowledge.version,
        "disclaimer": answer.disclaimer,
        "text": to_text(answer),
    }
