"""Each reader's choice of form ("Which best describes you?"): the App Home section, `/nms settings`,
and reading a choice from a press or from the command's words."""

from __future__ import annotations

from typing import Any

from ...core.forms import DEFAULT, Form
from ..blocks.parts import Block, _sections, escape

CHOOSE = "nms_form"  # action_id prefix; the suffix names the choice: length or abbreviations
OPTIONS = {
    "length": (
        ("full", "Full answer with its references (default)", "Every statement, numbered citations, references"),
        ("brief", "Brief", "First action and key statements; a button shows the rest"),
    ),
    "abbreviations": (
        ("short", "Abbreviations as written (default)", "ECT, CK, IV: for readers in the specialty"),
        ("spelled_out", "Spelled out", "\u201celectroconvulsive therapy (ECT)\u201d: students, other fields"),
    ),
}
QUESTIONS = {"length": "*How long?*", "abbreviations": "*How written?*"}
INTRO = (
    "*Which best describes you?* Choose how my answers look to you: in direct messages and the "
    "*Messages* tab, when you mention me (the answer is in your choice, for everyone in the thread), "
    "with `/nms` and with *Ask nms-bot*. Shortened or spelled out, an answer says only what its "
    "source says."
)
# `/nms settings brief spelled`: the words each value may be typed as
WORDS = {
    "brief": ("length", "brief"),
    "full": ("length", "full"),
    "long": ("length", "full"),
    "spelled": ("abbreviations", "spelled_out"),
    "spell": ("abbreviations", "spelled_out"),
    "expanded": ("abbreviations", "spelled_out"),
    "abbreviated": ("abbreviations", "short"),
    "abbreviations": ("abbreviations", "short"),
}
USAGE = (
    "`/nms settings brief` or `full` (how long), `/nms settings spelled` or `abbreviated` "
    "(abbreviations spelled out or as written); `/nms settings` shows your choices."
)


def _option(value: str, text: str, description: str) -> Block:
    return {
        "text": {"type": "plain_text", "text": text},
        "description": {"type": "plain_text", "text": description},
        "value": value,
    }


def settings_blocks(form: Form, saved: str = "") -> list[Block]:
    """The reader's two choices as radio buttons, the current ones selected; `saved`: a line that
    confirms (or says why not) after a press."""
    blocks: list[Block] = [*_sections(INTRO)]
    current = {"length": form.length, "abbreviations": form.abbreviations}
    for choice, options in OPTIONS.items():
        radio: Block = {
            "type": "radio_buttons",
            "action_id": f"{CHOOSE}:{choice}",
            "options": [_option(*o) for o in options],
        }
        radio["initial_option"] = next(_option(*o) for o in options if o[0] == current[choice])
        blocks += [*_sections(QUESTIONS[choice]), {"type": "actions", "elements": [radio]}]
    if saved:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(saved)}]})
    return blocks


def settings_message(form: Form, saved: str = "") -> dict[str, Any]:
    """`/nms settings`: the same choices, only to the asker."""
    text = saved or f"Your answers: {form.describe()}."
    blocks = settings_blocks(form, saved)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(USAGE)}]})
    return {"text": text, "blocks": blocks}


def typed_choices(words: str) -> list[tuple[str, str]] | None:
    """(choice, value) pairs from `/nms settings` words; None when a word means nothing here."""
    choices = []
    for word in words.lower().replace(",", " ").split():
        if word in ("out", "answers", "answer", "and"):
            continue
        if word not in WORDS:
            return None
        choices.append(WORDS[word])
    return choices


def pressed_choice(action: dict[str, Any]) -> tuple[str, str] | None:
    """(choice, value) from a radio button press, or None for anything else."""
    choice = str(action.get("action_id", "")).partition(":")[2]
    selected = action.get("selected_option")
    value = selected.get("value") if isinstance(selected, dict) else None
    if choice in OPTIONS and value in {o[0] for o in OPTIONS[choice]}:
        return choice, str(value)
    return None


def confirmation(form: Form) -> str:
    return f"Saved: {form.describe()}." + ("" if form != DEFAULT else " (the defaults)")


UNSAVED = "Your choice could not be saved just now (the database is not answering): please try again."
