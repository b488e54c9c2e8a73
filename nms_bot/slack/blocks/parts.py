"""Block Kit parts every message uses, within Slack's limits: the limits, action ids, escaping, and
the sections, contexts, buttons and fitting that answers, help, the App Home and reminders are built of.

Limits are met by splitting, never by dropping citations or the disclaimer. All text that did
not come from our own templates is escaped, so nothing can turn into a mention or a link.
"""

from __future__ import annotations

from typing import Any

from ...core.model import Knowledge, Topic
from ...core.render import NO_TOPICS, topic_list

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


def button_value(topic_id: str, surface: str, origin: str = "") -> str:
    """topic|surface, and |origin (the thread a question asked through a shortcut came from)."""
    return f"{topic_id}|{surface}|{origin}" if origin else f"{topic_id}|{surface}"


def parse_value(value: str) -> tuple[str, str, str]:
    """(topic id, surface, origin) from a button value; missing parts are ""."""
    parts = [*value.split("|", 2), "", ""]
    return parts[0], parts[1], parts[2]


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


def _topic_lines(topics: list[Topic]) -> str:
    return "\n".join(f"\u2022 `{t.id}` {escape(t.title)}" for t in topics) or escape(NO_TOPICS)


def _short_list(knowledge: Knowledge) -> str:
    """The first topics and, for a large knowledge base, how to see the rest."""
    topics = topic_list(knowledge)
    lines = _topic_lines(topics[:SHORT_LIST])
    if len(topics) > SHORT_LIST:
        lines += f"\n\u2026 and {len(topics) - SHORT_LIST:,} more: `/nms topics` lists them all."
    return lines
