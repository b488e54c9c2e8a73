"""Answers in the form each reader chose ("Which best describes you?"): brief or full, and
abbreviations spelled out or kept short.

Both only ever take away or add, never reword: the brief form leaves whole statements out (never
cuts one), keeping the first action, the key statements with their citation numbers, the notes and
the disclaimer; spelling out puts what an abbreviation stands for before its first use, as in
"electroconvulsive therapy (ECT)", from the editors' table (knowledge/abbreviations.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .compose import Answer, Statement

LENGTHS = ("full", "brief")  # the first is the default
ABBREVIATIONS = ("short", "spelled_out")
_KEY_PHRASE = re.compile(r"\*[^*\s][^*]*\*")  # the editors mark a statement's key phrase in *bold*
_SENTENCE_END = (".", "!", "?")


@dataclass(frozen=True)
class Form:
    """How one reader wants answers: `length` full or brief, `abbreviations` short or spelled out."""

    length: str = LENGTHS[0]
    abbreviations: str = ABBREVIATIONS[0]

    def __post_init__(self) -> None:
        if self.length not in LENGTHS or self.abbreviations not in ABBREVIATIONS:
            raise ValueError(f"unknown form {self.length!r}, {self.abbreviations!r}")

    @property
    def brief(self) -> bool:
        return self.length == "brief"

    @property
    def spell_out(self) -> bool:
        return self.abbreviations == "spelled_out"

    def describe(self) -> str:
        """The choice in words, for confirmations: "brief answers, abbreviations spelled out"."""
        length = "brief answers" if self.brief else "full answers with references"
        return f"{length}, abbreviations {'spelled out' if self.spell_out else 'kept short'}"


DEFAULT = Form()


def in_form(answer: Answer, form: Form) -> Answer:
    """The answer in `form`. Suggestions and declines have nothing to shorten: they stay as they are."""
    if answer.topic is None or form == DEFAULT:
        return answer
    if form.brief:
        answer = replace(answer, statements=key_statements(answer), brief=True)
    if form.spell_out:
        answer = spell_out(answer)
    return answer


def key_statements(answer: Answer) -> tuple[Statement, ...]:
    """The statements a brief answer keeps, in their order and with their citation numbers: the first
    action carried (safety.yaml) and the topic's own first statement, every guideline statement (the
    source's recommendations), every statement with a key phrase, and whatever a kept one must not be
    shown without (safety.yaml's statement pairs: no subgroup result without the overall one)."""
    statements = answer.statements
    keep = set(range(len(answer.carried) + 1))
    keep |= {i for i, s in enumerate(statements) if s.tier == "guideline" or _KEY_PHRASE.search(s.text)}
    pairs = answer.knowledge.safety.pairs
    grown = True
    while grown:
        needed = {
            j
            for i in keep
            for pair in pairs
            if pair.if_text in statements[i].text.lower()
            for j, s in enumerate(statements)
            if pair.needs in s.text.lower()
        }
        grown = not needed <= keep
        keep |= needed
    return tuple(s for i, s in enumerate(statements) if i in keep)


def spell_out(answer: Answer) -> Answer:
    """Each abbreviation of the editors' table spelled out where the answer first uses it (title,
    statements, notes, in the order shown); where the text already spells it out, as the ECT
    topic's title does, that counts as its first use."""
    assert answer.topic is not None
    table = answer.knowledge.abbreviations
    if not table:
        return replace(answer, spelled_out=())
    pattern = re.compile(
        r"(?<![A-Za-z0-9-])(" + "|".join(map(re.escape, sorted(table, key=len, reverse=True))) + r")(?![A-Za-z0-9-])"
    )
    first_uses: list[str] = []  # abbreviations met so far, whether written out here or already
    spelled: list[str] = []

    def spell(text: str) -> str:
        def expand(m: re.Match[str]) -> str:
            abbreviation = m.group(1)
            if abbreviation in first_uses:
                return abbreviation
            first_uses.append(abbreviation)
            expansion = table[abbreviation]
            before = text[: m.start()]
            if before.lower().endswith(f"{expansion.lower()} (") and text[m.end() : m.end() + 1] == ")":
                return abbreviation  # already spelled out here
            spelled.append(abbreviation)
            start = before.rstrip(" *_")
            if not start or start.endswith(_SENTENCE_END):
                expansion = expansion[:1].upper() + expansion[1:]
            return f"{expansion} ({abbreviation})"

        return pattern.sub(expand, text)

    title = spell(answer.heading)  # "NMS: ..." first: the heading is the first use
    statements = tuple(replace(s, text=spell(s.text)) for s in answer.statements)
    notes = tuple(spell(n) for n in answer.notes)
    return replace(
        answer,
        topic=replace(answer.topic, title=title),
        statements=statements,
        notes=notes,
        spelled_out=tuple(spelled),
    )


def form_given(answer: Answer) -> dict[str, Any]:
    """What `ask --json` says of the form given: `length`, `abbreviations`, and `spelled_out` (the
    abbreviations written out in this answer)."""
    return {
        "length": "brief" if answer.brief else "full",
        "abbreviations": "short" if answer.spelled_out is None else "spelled_out",
        "spelled_out": list(answer.spelled_out or ()),
    }
