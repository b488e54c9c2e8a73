"""What phone dictation writes for what a clinician says: numbers as words ("temp forty point
one", "HR one thirty eight") and abbreviations spelt out letter by letter ("n m s", "see kay")."""

from __future__ import annotations

import re
from collections.abc import Callable

UNIT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
UNITS = {w: n for n, w in enumerate(UNIT_WORDS)}
TEN_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TENS = {w: 10 * n for n, w in enumerate(TEN_WORDS, 2)}
_WORD = "|".join((*UNITS, *TENS, "hundred", "thousand", "point"))
NUMBER_RUN = re.compile(rf"\b(?:{_WORD})(?:[ -](?:{_WORD}))*\b")
# The names of letters as dictation writes them, for the letters of an abbreviation ("see kay": CK).
LETTER_NAMES = {
    "see": "c", "sea": "c", "kay": "k", "em": "m", "en": "n", "ess": "s", "tee": "t", "tea": "t",
    "vee": "v", "pee": "p", "dee": "d", "bee": "b", "eye": "i", "ee": "e", "ay": "a", "el": "l",
}  # fmt: skip


def _value(words: list[str]) -> str:
    """The digits of one run of number words: "forty point one" 40.1, "one thirty eight" 138."""
    if "point" in words:
        i = words.index("point")
        whole, decimals = words[:i], words[i + 1 :]
        return (_value(whole) if whole else "0") + "." + "".join(str(UNITS.get(w, "")) for w in decimals)
    total, current = 0, 0
    for i, w in enumerate(words):
        if w in UNITS and i + 1 < len(words) and words[i + 1] in TENS and current == 0:
            current = 100 * UNITS[w]  # "one thirty eight": one hundred and thirty-eight
        elif w in UNITS or w in TENS:
            current += UNITS.get(w, 0) + TENS.get(w, 0)
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total, current = total + max(current, 1) * 1000, 0
    return str(total + current)


def _digits(m: re.Match[str]) -> str:
    words = re.split("[ -]", m.group(0))
    lead = "point " if words[0] == "point" else ""  # "the point of fluids": not a number
    words = words[1:] if lead else words
    trail = " point" if words and words[-1] == "point" else ""
    words = words[:-1] if trail else words
    # a lone small number stays a word ("one dose", "two questions"): only a value is rewritten
    if not words or (len(words) == 1 and words[0] in UNITS and UNITS[words[0]] <= 10):
        return m.group(0)
    return lead + _value(words) + trail


def spoken_numbers(text: str) -> str:
    """Runs of number words written as digits ("forty point one" -> "40.1", "eighteen k" -> "18 k")."""
    return NUMBER_RUN.sub(_digits, text)


def join_runs(
    numbered: list[tuple[int, str]], meaning: Callable[[list[str]], str | None]
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """Runs of two to four words of one clause that dictation split apart, each replaced by the one
    word `meaning` finds they say (None: not a word), longest run first: (clause, word) pairs, and
    (typed run, word) for each run joined."""
    out: list[tuple[int, str]] = []
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(numbered):
        for n in (4, 3, 2):
            run = numbered[i : i + n]
            if len(run) < n or len({c for c, _ in run}) > 1:
                continue
            words = [w for _, w in run]
            if meant := meaning(words):
                out.append((run[0][0], meant))
                found.append((" ".join(words), meant))
                i += n
                break
        else:
            out.append(numbered[i])
            i += 1
    return out, found


def spelt_out(
    numbered: list[tuple[int, str]], known: Callable[[str], bool]
) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """Letters of one clause said one by one joined into the abbreviation they spell, when it is a
    word the knowledge base knows ("n m s" -> "nms", "see kay" -> "ck"), as `join_runs` returns."""
    if sum(len(w) == 1 or w in LETTER_NAMES for _, w in numbered) < 2:
        return numbered, []  # nearly every question: no letters said one by one

    def spelt(words: list[str]) -> str | None:
        letters = [w if len(w) == 1 and w.isalpha() else LETTER_NAMES.get(w, "") for w in words]
        return "".join(letters) if all(letters) and known("".join(letters)) else None

    return join_runs(numbered, spelt)
