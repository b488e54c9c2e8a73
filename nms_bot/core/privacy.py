"""Find and mask what could identify a patient before anything is written down.

Free text cannot be proven free of identifiers; these patterns catch the shapes that reach a
chat message most often. A gap (an unanswered question, recorded only when enabled) is kept as
`known_words_only`: a name cannot be in it unless it is also a word of the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Container

from .text import normalise, stem, words

UNKNOWN = "[?]"  # a word of a gap that the knowledge base does not know

# Bounded quantifiers keep every pattern linear; this bounds the text they look at, so a
# 40,000-character message costs no more than a long one.
MAX_CHARS = 4000

# Whole month names or their abbreviations only: "sepsis 30" is not a date.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
# Order matters: the more specific shapes go first so their digits are not half-replaced.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[EMAIL]", re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")),
    ("[MENTION]", re.compile(r"<[@#!][^<>]*>|@[A-Za-z][\w.-]{1,40}")),
    (
        "[MRN]",
        re.compile(
            r"\b(?:mrn|mr|nhs|hn|uhid|pid|id|chart|record|patient|pt|acct|account|nhi|ssn)"
            r"\s*(?:no\.?|number|num|#)?\s*[:#=]?\s*[a-z]{0,3}[\s-]?\d[\d\s-]{2,}\d\b",
            re.I,
        ),
    ),
    (
        "[DATE]",
        re.compile(
            rf"\b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b|\b\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+\d{{2,4}})?\b"
            rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{2,4}})?\b",
            re.I,
        ),
    ),
    ("[PHONE]", re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}(?:[\s.-]?\d{1,4})?\b")),
    ("[MRN]", re.compile(r"\b[a-z]{1,3}\d{5,}\b", re.I)),
    ("[NUMBER]", re.compile(r"\d{4,}")),
)


NUMBERED = tuple((p, r) for p, r in PATTERNS if p not in ("[EMAIL]", "[MENTION]"))  # each needs a digit


def redact(text: str, blank: bool = False) -> str:
    """The text with every identifier-shaped part replaced by a placeholder (or a space)."""
    text = text[:MAX_CHARS]
    for placeholder, pattern in _could_match(text):
        text = pattern.sub(" " if blank else placeholder, text)
    return text


def _could_match(text: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The patterns that could match: every one but the mention needs an "@", a "<" or a digit
    (most questions hold no "@" or "<", and some no digit)."""
    if "@" in text or "<" in text:
        return PATTERNS
    return NUMBERED if any(c.isdigit() for c in text) else ()


def looks_identifying(text: str, ignore_mentions: bool = True) -> bool:
    """True when the text holds something shaped like a patient identifier."""
    text = text[:MAX_CHARS]
    for placeholder, pattern in PATTERNS:
        if ignore_mentions and placeholder == "[MENTION]":
            text = pattern.sub(" ", text)  # naming a colleague or the bot is not a patient detail
            continue
        if pattern.search(text):
            return True
    return False


def known_words_only(question: str, known_stems: Container[str]) -> str:
    """The question with only the words whose stems are in `known_stems` (the knowledge base's
    vocabulary: topics, synonyms, drugs, context, filler); every other word, number or identifier
    becomes one UNKNOWN. Names, places and free text are dropped by construction, not by pattern:
    "Mrs Smith in bed 4, what is wrong with her kidneys" -> "[?] [?] in bed [?] what is [?] with
    her kidneys"."""
    tokens = words(normalise(redact(question, blank=True)))
    return " ".join(w if not w[0].isdigit() and stem(w) in known_stems else UNKNOWN for w in tokens)
