"""Block Kit for answers, suggestions, help and the App Home, within Slack's limits.

Limits are met by splitting, never by dropping citations or the disclaimer. All text that did
not come from our own templates is escaped, so nothing can turn into a mention or a link.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..core.compose import Answer
from ..core.model import Knowledge, Topic
from ..core.policy import policy_sections, policy_text
from ..core.render import BRIEF_NOTE, NO_TOPICS, intro, to_text, topic_list

SECTION_MAX = 3000
HEADER_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
BLOCKS_MAX = 50
BUTTON_TEXT_MAX = 75
ACTIONS_MAX = 25
TEXT_MAX = 40000
SHORT_LIST = 25  # topics named in help, declines and the App Home; `/nms topics` pages through all
TOPICS_PAGE = 100  # topics per `/nms topics` page: small payloads even for thousands of topics

SHOW_TOPIC = "nms_topic"  # action_id prefix; the suffix keeps ids unique within a message
SHARE = "nms_share"
SHARE_THREAD = "nms_share_thread"
FEEDBACK = "nms_feedback"
ESCALATE = "nms_escalate"
RESOLVED = "nms_resolved"
WHOLE = "nms_whole"  # a brief answer's "Show the whole answer"
# Every post: citation links stay links, not large previews.
NO_UNFURL = {"unfurl_links": False, "unfurl_media": False}
# Fixed texts are plain text: escape() them like any other before they go into mrkdwn.
PHI_REMINDER = ":lock: Please don't post patient identifiers (names, record numbers, dates of birth) in Slack."
HOW_TO = (
    "Mention me in a channel (`@nms-bot should we give dantrolene?`), send me a direct message, "
    "or use `/nms QUESTION` (only you see the answer). `/nms topics` lists topics; "
    "`/nms <topic id>` shows one; `/nms policy` says how topics are reviewed. In a thread, where `/nms` "
    "does not work: open any message's "
    "*More actions* menu and choose *Ask nms-bot*. `/nms settings`: brief or full answers, "
    "abbreviations spelled out or as written."
)
ABOUT = "*nms-bot* looks up how neuroleptic malignant syndrome (NMS) is treated."

Block = dict[str, Any]


def escape(text: str) -> str:
    """Make text inert in mrkdwn: no <!channel>, <@user> or disguised links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _split(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    pieces, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            pieces.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces


def _sections(text: str) -> list[Block]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in _split(text)]


def _contexts(texts: list[str]) -> list[Block]:
    elements = [{"type": "mrkdwn", "text": p} for t in texts for p in _split(t)]
    return [
        {"type": "context", "elements": elements[i : i + CONTEXT_ELEMENTS_MAX]}
        for i in range(0, len(elements), CONTEXT_ELEMENTS_MAX)
    ]


def _button(text: str, action_id: str, value: str, label: str, style: str | None = None) -> Block:
    """A button; `label` is what a screen reader says (Slack: at most 75 characters)."""
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(text, BUTTON_TEXT_MAX)},
        "action_id": action_id[:255],
        "value": value[:2000],
        "accessibility_label": _clip(label, BUTTON_TEXT_MAX),
    }
    if style:
        button["style"] = style
    return button


def _actions(buttons: list[Block]) -> list[Block]:
    return [{"type": "actions", "elements": buttons[i : i + ACTIONS_MAX]} for i in range(0, len(buttons), ACTIONS_MAX)]


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


def button_value(topic_id: str, surface: str, origin: str = "") -> str:
    """topic|surface, and |origin (the thread a question asked through a shortcut came from)."""
    return f"{topic_id}|{surface}|{origin}" if origin else f"{topic_id}|{surface}"


def parse_value(value: str) -> tuple[str, str, str]:
    """(topic id, surface, origin) from a button value; missing parts are ""."""
    parts = [*value.split("|", 2), "", ""]
    return parts[0], parts[1], parts[2]


def citation_line(n: int, text: str, url: str | None) -> str:
    line = f"[{n}] {escape(text)}"
    return f"{line} <{url}|link>" if url else line


def _fit(blocks: list[Block]) -> list[Block]:
    """Merge adjacent text blocks until the message fits in Slack's 50 blocks."""
    while len(blocks) > BLOCKS_MAX:
        for i in range(len(blocks) - 1):
            a, b = blocks[i], blocks[i + 1]
            if a["type"] == b["type"] == "context" and len(a["elements"]) + len(b["elements"]) <= CONTEXT_ELEMENTS_MAX:
                a["elements"] += b.pop("elements")
                del blocks[i + 1]
                break
            if (
                a["type"] == b["type"] == "section"
                and "text" in a
                and "text" in b
                and "accessory" not in a
                and len(a["text"]["text"]) + len(b["text"]["text"]) + 1 <= SECTION_MAX
            ):
                a["text"]["text"] += "\n" + b["text"]["text"]
                del blocks[i + 1]
                break
        else:
            raise ValueError("answer cannot fit Slack's block limit")  # validation prevents this
    return blocks


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
        if answer.caution:
            blocks.append(caution_block(answer.caution))
        for label, statements in answer.by_tier():
            blocks += _sections(f"*{label}*\n" + "\n".join(escape(s.line()) for s in statements))
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


def _topic_lines(topics: list[Topic]) -> str:
    return "\n".join(f"\u2022 `{t.id}` {escape(t.title)}" for t in topics) or escape(NO_TOPICS)


def _short_list(knowledge: Knowledge) -> str:
    """The first topics and, for a large knowledge base, how to see the rest."""
    topics = topic_list(knowledge)
    lines = _topic_lines(topics[:SHORT_LIST])
    if len(topics) > SHORT_LIST:
        lines += f"\n\u2026 and {len(topics) - SHORT_LIST:,} more: `/nms topics` lists them all."
    return lines


def help_message(knowledge: Knowledge) -> dict[str, Any]:
    """`/nms` or `/nms help`: how to ask, the first topics, versions, disclaimer."""
    topics = _short_list(knowledge)
    blocks = [
        *_sections(f"{ABOUT}\n{escape(HOW_TO)}"),
        *_sections(f"*Topics*\n{topics}"),
        *_contexts([_versions(knowledge), f":information_source: {escape(knowledge.disclaimer.short)}"]),
    ]
    text = f"{escape(HOW_TO)}\n{topics}\n{escape(knowledge.disclaimer.short)}"
    return {"text": _clip(text, TEXT_MAX), "blocks": _fit(blocks)}


def topics_message(knowledge: Knowledge, page: int = 1) -> dict[str, Any]:
    """`/nms topics [PAGE]`: the topics, TOPICS_PAGE at a time (a page past the end shows the last)."""
    topics = topic_list(knowledge)
    pages = max(1, -(-len(topics) // TOPICS_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * TOPICS_PAGE
    shown = topics[first : first + TOPICS_PAGE]
    heading = "*Topics*"
    if pages > 1:
        heading += f" {first + 1:,}\u2013{first + len(shown):,} of {len(topics):,} (page {page} of {pages})"
    lines = _topic_lines(shown)
    if page < pages:
        lines += f"\nNext: `/nms topics {page + 1}`"
    blocks = [
        *_sections(f"{heading}\n{lines}"),
        *_contexts([_versions(knowledge), f":information_source: {escape(knowledge.disclaimer.short)}"]),
    ]
    text = f"{heading}\n{lines}\n{escape(knowledge.disclaimer.short)}"
    return {"text": _clip(text, TEXT_MAX), "blocks": _fit(blocks)}


def _versions(knowledge: Knowledge) -> str:
    s = knowledge.source
    status = f" {escape(s.status)}" if s.status else ""
    return (
        f"nms-bot {__version__} \u00b7 knowledge {escape(knowledge.version)} \u00b7 source: "
        f"{escape(s.publisher)}, \u201c{escape(s.title)}\u201d, last updated {s.updated.isoformat()}.{status}"
    )


def ways_to_ask(followups: bool, escalation_channel: str | None) -> str:
    """The App Home's list of ways to ask, as this installation is set up."""
    lines = [
        "*Ways to ask*",
        "\u2022 *Mention me* in a channel: `@nms-bot should we give dantrolene?` I answer in a thread.",
        "\u2022 *Direct message* me, or open my *Messages* tab and tap a suggested question.",
        "\u2022 `/nms QUESTION`: only you see the answer, with *Share in channel*.",
        "\u2022 *On any message, also inside a thread*: *More actions* (\u22ee) \u2192 *Ask nms-bot*. Edit "
        "the question (and remove patient details) before asking; only you see the answer, with "
        "*Share in thread*.",
    ]
    if followups:
        lines.append(
            "\u2022 *Follow-ups*: once I have answered in a thread, reply there without mentioning "
            "me. I answer only when I am sure the reply asks about one of my topics, and stay quiet "
            "otherwise; a mention always gets an answer."
        )
    if escalation_channel:
        lines.append(
            f"\u2022 *Ask a colleague*: when I cannot help (or you mark an answer *Not helpful*), the "
            f"button sends who asked and a link to the conversation to <#{escalation_channel}>, never "
            "the question itself. Colleagues reply in your thread."
        )
    return "\n".join(lines)


def home_view(
    knowledge: Knowledge,
    *,
    followups: bool = False,
    escalation_channel: str | None = None,
    settings: list[Block] | None = None,
) -> dict[str, Any]:
    """The App Home tab: what the bot is, how to ask, the reader's `settings` (slack/readers.py),
    topics, full disclaimer, versions."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "nms-bot: NMS treatment look-up"}},
        *_sections(
            "I look up how *neuroleptic malignant syndrome (NMS)* is treated, from a curated, cited knowledge base."
        ),
        *_sections(ways_to_ask(followups, escalation_channel)),
        *_sections(escape("`/nms topics` lists the topics; `/nms <topic id>` shows one.")),
        *([{"type": "divider"}, *settings] if settings else []),
        {"type": "divider"},
        *_sections("*Topics*\n" + _short_list(knowledge)),
        {"type": "divider"},
        *_sections("*Disclaimer*\n" + escape(knowledge.disclaimer.full)),
        *_policy_blocks(knowledge),
        *_contexts([_versions(knowledge)]),
    ]
    return {"type": "home", "blocks": _fit(blocks)}


def _policy_blocks(knowledge: Knowledge) -> list[Block]:
    """The editorial policy (policy.yaml) under its title; nothing when there is none."""
    if knowledge.policy is None:
        return []
    parts = [f"*{escape(heading)}*\n{escape(text)}" for heading, text in policy_sections(knowledge)]
    return [{"type": "divider"}, *_sections(f"*{escape(knowledge.policy.title)}*"), *_sections("\n\n".join(parts))]


def policy_message(knowledge: Knowledge) -> dict[str, Any]:
    """`/nms policy`: the editorial policy, or a line saying the knowledge base keeps none."""
    blocks = _policy_blocks(knowledge)[1:] or _sections(escape(policy_text(knowledge)))
    return {"text": _clip(escape(policy_text(knowledge)), TEXT_MAX), "blocks": _fit(blocks)}
