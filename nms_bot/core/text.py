"""Turn typed text into word stems: Slack markup removed, case and punctuation folded."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball stemmers in C

from .spoken import spoken_numbers

# Cap before any regex work, so a 40,000-character message costs what a normal one does.
MAX_INPUT_CHARS = 600
MAX_TOKENS = 40

_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_EMOJI = re.compile(r":[a-z0-9_+'-]+:")
# Slack's ~strike~: what the writer crossed out is not part of the question.
_STRUCK = re.compile(r"(?<![\w~])~[^~\n]{1,200}~(?![\w~])")
_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
# Capital "PT" in a message written in lower case too is physical therapy ("should PT see him"), the
# lower-case "pt" the patient; not the prothrombin time ("PT/INR", "PT 14.2").
_PHYSICAL_THERAPY = re.compile(r"(?<![A-Za-z0-9])PT(?![A-Za-z0-9/])(?!\s*(?:/|INR|inr|\d))")
# Ways of writing one thing, rewritten to the vocabulary's, in this order (lower-cased text).
# Each with the strings one of which it needs, so that most questions skip most patterns.
_REWRITES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = tuple(
    (needles, re.compile(pattern), meant)
    for needles, pattern, meant in (
        # how often, in the prescriber's notation ("q6", "q 6h", "q6hrs", "q4 hourly")
        (("q",), r"(?<![a-z0-9])q ?(\d{1,2}) ?(?:h|hr|hrs|hrly|hourly|hours?)?(?![a-z0-9])", r"q\1h"),
        # "q how many hrs", "every how many hours": "q" (every) before a time asked
        (("how",), r"(?<![a-z0-9])(?:q|every) ?how (?:many|often)(?: ?(?:h|hr|hrs|hours?))?(?![a-z0-9])", "how often"),
        # "gen med floor", "med floor", "med student": the medical ward or who asks, not a medication
        (
            ("med",),
            r"(?<![a-z0-9])(?:gen|general|internal) med(?:icine)?(?: (?:floor|ward|unit))?(?![a-z0-9])",
            "general ward",
        ),
        (("med",), r"(?<![a-z0-9])med (?:floor|ward|unit)(?![a-z0-9])", "medical ward"),
        (
            ("med",),
            r"(?<![a-z0-9])med (?=(?:students?|school|residents?|team|service|consult|rotation|reg|registrar)\b)",
            "",
        ),
        # "d/c in 2 days", "d/c home", "ready for d/c": discharge, not discontinue ("d/c the haldol")
        (
            ("dc", "d/c"),
            r"(?<![a-z0-9/])d/?c(?= (?:in \d|tomorrow|today|tonight|home|planning|plan|summary|soon|date)\b)",
            "discharge",
        ),
        (("dc", "d/c"), r"\b(for|before|after|until|pending|post) d/?c(?![a-z0-9/])", r"\1 discharge"),
        # "weeks after his NMS settled": whose NMS it is says nothing ("after nms" is the vocabulary's)
        (("nms",), r"(?<![a-z0-9])(?:his|her|their) (?=nms\b)", ""),
        # the UK's renal panel ("U&Es", "U+E", "U and Es"): "&" would split it into letters
        (("u",), r"(?<![a-z0-9])u ?(?:&|\+|and) ?es?(?![a-z0-9])", " urea and electrolytes "),
        # "hx nms", "h/o NMS": the clinician's "history of"
        (("hx", "h/o"), r"(?<![a-z0-9/])(?:hx|h/o)(?= (?!of\b)[a-z])", "history of"),
        # "who's the attending": not a possessive
        (("who",), r"\bwho['\u2019]s\b", "who is"),
    )
)
_PLUS = re.compile(r"(?<=[a-z0-9])\s*\+\s*(?=[a-z])")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")  # e.c.t. -> ect, i.v. -> iv
# A decimal stays one token ("40.5"); an amount splits into number and unit ("12k", "2mg").
_TOKEN = re.compile(r"\d+\.\d+|[a-z0-9]+(?:/[a-z0-9]+)*")
_AMOUNT = re.compile(r"^(\d+)([a-z]+)$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")  # "2nd day": the number, not the letters
_TIMES = re.compile(r"^x(\d+)$")  # "paracetamol x2": how many times, a number
_stemmer = Stemmer.Stemmer("english")


def _slack_link(m: re.Match[str]) -> str:
    target, label = m.group(1), m.group(2)
    if target[:1] in "@!":  # user mentions, <!here>, <!channel>: never part of a question
        return " "
    if target[:1] == "#":  # channel link: keep its name, if any
        return f" {label or ''} "
    return f" {label} " if label else " "


def _fold(text: str) -> str:
    """NFKC, then without zero-width characters and accents: "dan\u200btrolène" is "dantrolene"."""
    if text.isascii():  # nearly every question: nothing to fold
        return text
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cf"))


def normalise(text: str) -> str:
    """Lower-case plain text with Slack links, mentions, emoji codes and crossed-out text removed."""
    # (each pattern is tried only when the character it needs is there: most questions hold few)
    text = text[: MAX_INPUT_CHARS * 2]
    if "<" in text:
        text = _SLACK_LINK.sub(_slack_link, text)
    text = html.unescape(text)
    if ":" in text:
        text = _EMOJI.sub(" ", text)
    text = _fold(text)
    if "~" in text:
        text = _STRUCK.sub(" ", text)
    if "PT" in text and any(c.islower() for c in text):
        text = _PHYSICAL_THERAPY.sub("physical therapy", text)
    text = text.lower()
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    if "+" in text:
        text = _PLUS.sub(" and ", text)  # "zyprexa + abilify": both
    for needles, pattern, meant in _REWRITES:
        if any(n in text for n in needles):
            text = pattern.sub(meant, text)
    if "'" in text or "\u2019" in text:
        text = _APOSTROPHE_S.sub("", text)
    return spoken_numbers(text)[:MAX_INPUT_CHARS]


def words(text: str) -> list[str]:
    """The words of normalised text; 'd/c' stays one word, 'a/b' pairs of long words split."""
    if text.isascii() and text.islower() and text.replace(" ", "").isalpha():  # most vocabulary phrases
        return text.split()[:MAX_TOKENS]
    out: list[str] = []
    for token in _TOKEN.findall(text.replace("'", "").replace("\u2019", "")):
        parts = [t for t in token.split("/") if t] if "/" in token and len(token) > 4 else [token]
        for part in parts:
            if number := _ORDINAL.match(part) or _TIMES.match(part):
                out.append(number.group(1))
            elif amount := _AMOUNT.match(part):
                out.extend(amount.groups())
            else:
                out.append(part)
    return out[:MAX_TOKENS]


# Where one clause of a message ends: sentence marks, commas, colons, dashes between words
# (not a decimal point, not the hyphen inside "post-NMS"; "Cr 2.1. ECT?" ends after the 2.1).
_CLAUSE_END = re.compile(r"\.(?!\d)|[?!;:,\n]|\s[-\u2013\u2014]+\s|[\u2013\u2014]")


_SPLIT = re.compile(f"({_CLAUSE_END.pattern})")
# A clause that opens with one of these, or ends with "?", asks; the others set the scene.
QUESTION_OPENERS = frozenset(
    (
        *("should", "can", "could", "would", "is", "are", "do", "does", "did", "what", "whats", "how"),
        *("when", "which", "why", "any", "ok", "okay", "worth", "need", "must", "shall", "will", "may"),
        *("might", "anyone", "anybody", "thoughts", "priorities"),
    )
)


OK_ASKS = frozenset(("to", "for", "if", "with", "w", "on", "in", "as", "at"))  # "ok to", "ok w/ a low plt?"
# "what to monitor and at what point do we call for ECT": "and" before a question word (after a
# preposition, if any) starts a second question.
_SECOND_QUESTION = re.compile(
    r"\s(?:and|&|also|plus)\s+(?=(?:(?:at|in|by|for|to|from|after|until)\s+)?(?:"
    + "|".join(sorted(QUESTION_OPENERS))
    + r")\b)"
)


def clause_words(text: str) -> tuple[list[tuple[int, str]], set[int], set[int]]:
    """(clause number, word) for each word of normalised text, in order; the numbers of the
    clauses that ask something: they end with a question mark or open with a question word
    ("should we start dantrolene, T 40.5, rigid as a board": clause 0 asks, the rest is the
    patient); and of those that end with a question mark. One split serves all three."""
    parts = _SPLIT.split(_SECOND_QUESTION.sub(" ; ", text))
    out: list[tuple[int, str]] = []
    asking, marked = set(), set()
    for n, clause in enumerate(parts[0::2]):
        said = words(clause)
        end = parts[2 * n + 1] if 2 * n + 1 < len(parts) else ""
        if "?" in end:
            marked.add(n)
        # "ok to give?" asks; "ok so we've stopped...", "ok haldol d/c'd" tell
        opens = bool(said) and said[0] in QUESTION_OPENERS
        if opens and said[0] in ("ok", "okay") and said[1:2] and said[1] not in OK_ASKS:
            opens = False
        if "?" in end or opens:
            asking.add(n)
        out.extend((n, w) for w in said)
    return out[:MAX_TOKENS], asking, marked


def printable(text: str) -> str:
    """`text` without control or format characters (a terminal escape sequence's ESC, C1 controls,
    bidirectional overrides, lone surrogates), so stored text printed on a terminal shows as text."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else " " if c.isspace() else "" for c in text)


# Words Snowball merges with another of a different meaning: "medics" (doctors) would be "medic",
# the stem of "medication"; "difference" (a comparison) would be "differ", as "a different class".
# "settled" (calm now) would be "settl", as "something to settle her" (sedation).
OWN_STEMS = {
    "medic": "medics",
    "medics": "medics",
    "medical": "medical",  # "a medical inpatient", "the medical ward": not a medication
    "difference": "difference",
    "differences": "difference",
    "settled": "settled",
    "differently": "differently",  # how, not "a different class"
    "intubated": "intubated",  # the patient's state, not "intubate?" (respiratory support)
    "helpful": "helpful",  # "would it be helpful", not "does it help in" (outcomes)
    "failed": "failed",  # a treatment that failed, not "failing" kidneys
    "confirmed": "confirmed",  # "confirmed NMS, what can we use": a diagnosis made, not asked ("confirms NMS")
    "obs": "obs",  # observations (the vital signs), not "ob" (obstetrics: "OB resident")
    "satting": "satting",  # "satting 86% on 4L": how the patient breathes, not the "sats" of a set of vitals
    "improving": "improving",  # the patient's course ("is he improving"), not "improve outcomes"
    "ams": "ams",  # altered mental status, not "am" ("am i missing anything")
    "aggressive": "aggressive",  # how much treatment ("aggressive cooling"), not "aggression"
    "aggressively": "aggressive",
    "ruled": "ruled",  # "ruled out nms": excluded, not the "nms rule-out" being worked up
    "specifics": "specifics",  # "cooling + fluids - specifics?": details asked, not a "specific" drug
    "mobilising": "mobilising",  # the patient getting up ("if he's mobilising"), not physio's "mobilisation"
    "mobilizing": "mobilising",
    "mechanical": "mechanical",  # "heparin or just mechanical" (a device), not "mechanism" (a cause)
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-case word; an adverb in "-ally" stays whole, since
    it says how, not what ("basically" is not "basics", "typically" not "typical")."""
    if word in OWN_STEMS:
        return OWN_STEMS[word]
    return word if word.endswith("ally") else _stemmer.stemWord(word)


# Most vocabulary phrases are plain words: they need no markup removed (a fast path at start-up).
_PLAIN = re.compile(r"[a-z0-9 ,/()-]*")


def stems(text: str) -> list[str]:
    """Stems of a phrase, as written by an editor (no Slack markup expected)."""
    lower = text.lower()
    return [stem(w) for w in words(lower if _PLAIN.fullmatch(lower) else normalise(text))]
