"""The "Ask nms-bot" message shortcut's modal: the message's text to edit before asking, and where
to answer (carried through Slack in the view's private_metadata, never logged or stored)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

ASK_SHORTCUT = "nms_ask"  # the message shortcut's callback_id (manifest.yml)
ASK_MODAL = "nms_ask_modal"
QUESTION_BLOCK, QUESTION_INPUT = "question", "text"
INPUT_MAX = 3000  # Slack's plain_text_input limit
CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,30}$")
TS = re.compile(r"^\d{1,12}\.\d{1,8}$")
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
TIP = (
    "Edit the question and remove patient details (names, record numbers, dates of birth) before "
    "asking. Only you will see the answer."
)


@dataclass(frozen=True)
class Where:
    """Where the shortcut was used: the answer goes there, only to the asker."""

    channel: str
    thread: str | None  # the thread the message is in, if any: an ephemeral answer shows there
    origin: str  # the thread to share into and link to (the message itself when it heads no thread)
    response_url: str  # works where the bot is not a member (not inside a thread)

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, raw: Any) -> Where | None:
        """The metadata back from a view_submission; None if it is not ours."""
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
            where = cls(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError):
            return None
        if where is None or not CHANNEL.match(str(where.channel)) or not TS.match(str(where.origin)):
            return None
        if where.thread is not None and not TS.match(str(where.thread)):
            return None
        if not isinstance(where.response_url, str) or not where.response_url.startswith(("https://", "http://")):
            return None
        return where


def readable(text: Any) -> str:
    """A message's text as a person would type it: mentions dropped (names are not questions),
    links and channel names as their labels, entities unescaped."""
    if not isinstance(text, str):
        return ""

    def plain(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target[:1] in "@!":
            return ""
        if target[:1] == "#":
            return f"#{label}" if label else ""
        return label or target

    return re.sub(r"[ \t]{2,}", " ", html.unescape(_MARKUP.sub(plain, text))).strip()


def ask_modal(text: str, where: Where) -> dict[str, Any]:
    """The modal: the text (clipped to the input's limit) to trim, then Ask."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": QUESTION_INPUT,
        "multiline": True,
        "max_length": INPUT_MAX,
        "focus_on_load": True,
    }
    if text.strip():
        element["initial_value"] = text[:INPUT_MAX]
    return {
        "type": "modal",
        "callback_id": ASK_MODAL,
        "title": {"type": "plain_text", "text": "Ask nms-bot"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": where.dump(),  # ids and a URL: far below Slack's 3,000 characters
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": TIP}]},
            {
                "type": "input",
                "block_id": QUESTION_BLOCK,
                "label": {"type": "plain_text", "text": "Question"},
                "element": element,
            },
        ],
    }


def submitted_question(view: dict[str, Any]) -> str:
    """The question as submitted ("" when none)."""
    values = view.get("state", {}).get("values", {}) if isinstance(view.get("state"), dict) else {}
    block = values.get(QUESTION_BLOCK) if isinstance(values, dict) else None
    field = block.get(QUESTION_INPUT) if isinstance(block, dict) else None
    value = field.get("value") if isinstance(field, dict) else None
    return value.strip() if isinstance(value, str) else ""
