"""Show an Answer: as plain text for a terminal, or as the JSON object scripts read."""

from __future__ import annotations

from typing import Any

from .compose import AWAITING_APPROVAL, Answer
from .lookalikes import WITHDRAWAL
from .model import Knowledge, Topic
from .outofscope import DECLINED_UNLESS_NAMED

EXAMPLE = "should we give dantrolene?"
BRIEF_NOTE = "Brief answer: the key statements. The whole answer has every statement and lists the references."


def intro(answer: Answer) -> str:
    """One sentence that leads a reply without a topic: suggestion, decline or how-to. It names
    what was recognised from the vocabulary, never the user's own words."""
    if not answer.knowledge.topics:
        return NO_TOPICS
    category, term = answer.scope or ("", "")
    if answer.reason == AWAITING_APPROVAL:  # NMS_APPROVED_ONLY=1; `term` is the topic's title
        return (
            f"The topic \u201c{term}\u201d is awaiting clinical approval, so I can't answer from it yet. "
            "Here is what I can answer."
        )
    if category in DECLINED_UNLESS_NAMED:
        lead = f"This looks like a question about {term}; I only cover the treatment of NMS."
        return lead + (
            " If it is about NMS, one of these may help." if answer.suggestions else " Here is what I can answer."
        )
    if answer.status == "suggest":
        if answer.reason == "subject_only":
            return "Which part of NMS treatment do you mean? Pick a topic, or ask e.g. \u201c" + EXAMPLE + "\u201d."
        return "I'm not sure which topic you mean. Did you mean one of these?"
    if answer.reason == "greeting":
        return (
            f"I look up how neuroleptic malignant syndrome (NMS) is treated. "
            f"Ask a question, e.g. \u201c{EXAMPLE}\u201d, or name a topic below."
        )
    if category in ("conditions", WITHDRAWAL):
        return (
            f"This looks like a question about {term}; I only cover the treatment of neuroleptic "
            "malignant syndrome (NMS). Here is what I can answer."
        )
    if category == "not_covered":
        return (
            f"This looks like a question about {term}, which my source does not cover: I only "
            "cover how NMS is treated. Here is what I can answer."
        )
    if category:
        return "I can't help with that: I only answer questions about treating NMS. Here is what I can answer."
    return "I'm not sure what you're asking, and I won't guess. Here is what I can answer about NMS treatment."


NO_TOPICS = (
    "No topic is available: this bot runs with NMS_APPROVED_ONLY=1, which answers from approved topics "
    "only, and none is approved yet (nms-bot review)."
)


def topic_list(knowledge: Knowledge) -> list[Topic]:
    return sorted(knowledge.topics.values(), key=lambda t: t.title.lower())


def plain(text: str) -> str:
    """Knowledge text without its Slack *bold* markers, for terminals and scripts."""
    return text.replace("*", "")


def to_text(answer: Answer, topic_limit: int | None = None) -> str:
    """The reply as a person reads it in a terminal; a decline lists at most `topic_limit` topics."""
    lines: list[str] = []
    if answer.topic:
        lines.append(answer.heading)
        lines += [f"Note: {n}" for n in answer.notes]
        for label, items in answer.by_tier():
            lines += ["", f"{label}:"] + [plain(s.line()) for s in items]
        if answer.caution:  # below the statements: the first lines read are the source's
            lines += ["", f"\u26a0 {answer.caution}"]
        lines += ["", BRIEF_NOTE if answer.brief else "References:"]  # brief: the whole answer lists them
        lines += [
            f"[{c.n}] {c.text}" + (f" {c.url}" if c.url and c.url not in c.text else "")
            for c in (() if answer.brief else answer.citations)
        ]
        if answer.related:
            lines += ["", "Related: " + ", ".join(t.id for t in answer.related)]
        lines += ["", answer.footer]
    else:
        lines.append(intro(answer))
        if answer.suggestions:
            lines += [f"Note: {n}" for n in answer.notes]
            lines += [f"  {t.id}: {t.title}" for t, _ in answer.suggestions]
        else:
            topics = topic_list(answer.knowledge)
            shown = topics[:topic_limit] if topic_limit is not None else topics
            lines += [f"  {t.id}: {t.title}" for t in shown]
            if len(shown) < len(topics):
                lines.append(f"  \u2026 and {len(topics) - len(shown):,} more")
        lines += ["", answer.footer]
    if answer.knowledge.source.status:
        lines.append(answer.knowledge.source.status)
    lines.append(f"Disclaimer: {answer.disclaimer}")
    return "\n".join(lines)


def to_dict(answer: Answer) -> dict[str, Any]:
    """The reply as the JSON object `nms-bot ask --json` prints."""
    topic = answer.topic
    return {
        "question": answer.question,
        "status": answer.status,
        "topic": {"id": topic.id, "title": topic.title} if topic else None,
        "heading": answer.heading or None,
        "score": answer.score,
        "suggestions": [{"id": t.id, "title": t.title, "score": s} for t, s in answer.suggestions],
        "citations": [{"n": c.n, "key": c.key, "text": c.text, "url": c.url} for c in answer.citations],
        "bullets": [{"text": plain(s.text), "tier": s.tier, "citations": list(s.numbers)} for s in answer.statements],
        "carried": list(answer.carried),
        "joined": [{"id": t.id, "title": t.title} for t in answer.joined],
        "notes": list(answer.notes),
        "related": [{"id": t.id, "title": t.title} for t in answer.related],
        "reason": answer.reason or None,
        "updated": topic.updated.isoformat() if topic else None,
        "review": topic.review_state if topic else None,
        "approval": (
            {
                "by": topic.approval.by,
                "date": topic.approval.date.isoformat(),
                "fingerprint": topic.approval.fingerprint,
            }
            if topic and topic.approval
            else None
        ),
        "knowledge_version": answer.knowledge.version,
        "source_status": answer.knowledge.source.status or None,
        "disclaimer": answer.disclaimer,
        "text": to_text(answer),
    }
