"""Block Kit for answers: the answer message, its topic, share, escalate and whole-answer buttons,
citations and the review caution."""

from __future__ import annotations

import json
from typing import Any

from ...core.compose import Answer
from ...core.render import BRIEF_NOTE, intro, to_text
from .parts import (
    ESCALATE,
    FEEDBACK,
    HEADER_MAX,
    PHI_REMINDER,
    SHARE,
    SHARE_THREAD,
    SHORT_LIST,
    SHOW_TOPIC,
    TEXT_MAX,
    WHOLE,
    Block,
    _actions,
    _button,
    _clip,
    _contexts,
    _fit,
    _sections,
    _short_list,
    button_value,
    escape,
)


def topic_buttons(topics: list[Any], surface: str = "", origin: str = "") -> list[Block]:
    """Buttons showing topics; on a shortcut's answer they carry where it was asked (an ephemeral
    message does not tell)."""

    def value(topic_id: str) -> str:
        return button_value(topic_id, surface, origin) if surface == "shortcut" else topic_id

    return [_button(t.title, f"{SHOW_TOPIC}:{t.id}", value(t.id), f"Show the topic: {t.title}") for t in topics]


def escalate_button(topic_id: str, surface: str, origin: str = "") -> Block:
    """ "Ask a colleague": its value says which topic (none: "") and where the question was asked."""
    return _button(
        "Ask a colleague",
        ESCALATE,
        f"{topic_id}|{surface}|{origin}",
        "Ask a colleague in the consult channel to look at this question",
    )


def citation_line(n: int, text: str, url: str | None) -> str:
    line = f"[{n}] {escape(text)}"
    return f"{line} <{url}|link>" if url else line


def answer_message(
    answer: Answer,
    surface: str,
    *,
    share: bool = False,
    shared_by: str | None = None,
    phi_reminder: bool = False,
    share_in_thread: bool = False,
    escalate: bool = False,
    origin: str = "",
) -> dict[str, Any]:
    """`text` + `blocks` for any reply; `surface` (mention, dm, command, shortcut, followup) and
    `origin` (a shortcut's thread) go into button values. `share`: a Share in channel button,
    `share_in_thread`: Share in thread; `escalate`: suggestions and declines offer Ask a colleague."""
    blocks: list[Block] = []
    buttons: list[Block] = []
    if phi_reminder:
        blocks += _contexts([escape(PHI_REMINDER)])
    if answer.topic:
        topic = answer.topic
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": _clip(answer.heading, HEADER_MAX)}})
        # A dose or unnamed-drug note comes first: it qualifies every statement below it.
        if answer.notes:
            blocks += _sections("\n".join(f"*Note:* {escape(n)}" for n in answer.notes))
        for label, statements in answer.by_tier():
            blocks += _sections(f"*{label}*\n" + "\n".join(escape(s.line()) for s in statements))
        if answer.caution:  # below the statements: the first lines read are the source's
            blocks.append(caution_block(answer.caution))
        if answer.brief:  # the references, and the related topics, are in the whole answer
            blocks += _contexts([escape(BRIEF_NOTE)])
            buttons = [whole_answer_button(answer, surface, origin)]
        else:
            blocks += _contexts([citation_line(c.n, c.text, c.url) for c in answer.citations])
            buttons = topic_buttons(list(answer.related), surface, origin)
        value = button_value(topic.id, surface, origin)
        if share_in_thread:
            buttons.append(
                _button(
                    "Share in thread",
                    f"{SHARE_THREAD}:{topic.id}",
                    value,
                    "Post this answer in the thread for everyone to see",
                    "primary",
                )
            )
        elif share:
            buttons.append(
                _button(
                    "Share in channel",
                    f"{SHARE}:{topic.id}",
                    value,
                    "Post this answer in the channel for everyone to see",
                    "primary",
                )
            )
        buttons += [
            _button("Helpful", f"{FEEDBACK}:helpful", value, f"Mark this answer about {topic.title} as helpful"),
            _button(
                "Not helpful", f"{FEEDBACK}:not_helpful", value, f"Mark this answer about {topic.title} as not helpful"
            ),
        ]
    else:
        blocks += _sections(escape(intro(answer)))
        if answer.notes:
            blocks += _sections("\n".join(f"*Note:* {escape(n)}" for n in answer.notes))
        if answer.suggestions:
            buttons = topic_buttons([t for t, _ in answer.suggestions], surface, origin)
        else:
            blocks += _sections(_short_list(answer.knowledge))
        if escalate and answer.reason != "greeting":
            buttons.append(escalate_button("", surface, origin))
    # The point, then its citations, then the disclaimer; buttons last.
    source_status = answer.knowledge.source.status
    blocks += _contexts(
        [
            escape(answer.footer),
            *([escape(source_status)] if source_status else []),
            f":information_source: {escape(answer.disclaimer)}",
        ]
    )
    if shared_by:
        blocks += _contexts([f"Shared by <@{shared_by}>"])
    blocks += _actions(buttons)
    # The plain `text` carries the same answer for notifications and screen readers.
    text = escape(to_text(answer, topic_limit=SHORT_LIST))
    if phi_reminder:
        text = f"{escape(PHI_REMINDER)}\n{text}"
    return {"text": _clip(text, TEXT_MAX), "blocks": _fit(blocks)}


def whole_answer_button(answer: Answer, surface: str, origin: str = "") -> Block:
    """A brief answer's "Show the whole answer", for whoever presses it. Its value names what the
    whole answer is made of (topic, the first actions carried, the notes: the bot keeps no question)."""
    assert answer.topic is not None
    whole = {"topic": answer.topic.id, "carried": list(answer.carried), "notes": list(answer.notes)}
    whole |= {"surface": surface, "origin": origin}
    value = json.dumps(whole, separators=(",", ":"))
    if len(value) > 2000:  # Slack's limit; the brief answer above shows the notes all the same
        value = json.dumps({**whole, "notes": []}, separators=(",", ":"))
    return _button(
        "Show the whole answer",
        f"{WHOLE}:{answer.topic.id}",
        value,
        f"Show you the whole answer about {answer.topic.title}, with its references",
    )


def caution_block(caution: str) -> Block:
    """The "pending clinical review" caution as a warning-style alert block (the message's plain
    `text` carries it too, for clients that do not show alert blocks)."""
    return {"type": "alert", "level": "warning", "text": {"type": "mrkdwn", "text": f"*{escape(caution)}*"}}
