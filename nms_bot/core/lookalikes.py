"""Questions that look like NMS treatment but are not, read from what their words say together
rather than from scope.yaml's phrases: a drug's withdrawal syndrome ("baclofen withdrawal"), and
how many die of NMS (its prognosis, which a treatment source does not cover)."""

from __future__ import annotations

from itertools import pairwise

from .drugs import other_drug
from .lexicon import Entry
from .situations import DESCRIBING, MORTALITY
from .text import stem

WITHDRAWAL = "withdrawal syndromes"  # not a scope.yaml category: read from a drug named before "withdrawal"
WITHDRAWN = stem("withdrawal")
ANTIPSYCHOTIC = "antipsychotic"  # the drug_classes.yaml class whose stopping is the first action
COURSE = "how NMS runs its course"  # the scope.yaml `not_covered` label of prognosis
CAUSES = "what causes NMS"  # and of causes
WHY = stem("why")
FINDINGS = frozenset(("ck", "elevated", "hyperthermia", "rhabdomyolysis"))  # synonyms.yaml concepts of what is found
HOW_MANY = frozenset(
    stem(w) for w in ("percent", "percentage", "proportion", "many", "likely", "chance", "odds", "rate")
)
RECOVERY = stem("recovery")  # the noun: "recovered" is a time after NMS ("once recovered, restart?")
HOW_LONG = (stem("how"), stem("long"))
TIME = stem("time")
LAST = stem("last")
EVIDENCE = "evidence"  # the synonyms.yaml concept, and the word asking for it
# what a treatment does to it ("does anything lower mortality in nms" asks about treatments)
EFFECTS = frozenset(
    stem(w) for w in ("lower", "reduce", "improve", "decrease", "benefit", "change", "affect", "differ", "help", "work")
)


def withdrawal_syndrome(
    words: list[str],
    tokens: list[str],
    found: list[tuple[int, int, Entry]],
    member_class: dict[str, str],
    drug_notes: dict[str, tuple[str, str]],
) -> str:
    """ "baclofen withdrawal", "xanax withdrawal": a drug's name before "withdrawal" names the
    syndrome of stopping it, another condition, unless the drug is an antipsychotic (stopping
    that is the first action). The syndrome by the drug's generic name, or ""."""
    if WITHDRAWN not in tokens:
        return ""  # nearly every question: no drug names to look up
    drugs = {
        end: (member_class.get(e.label), drug_notes.get(e.label, (e.label,))[0])
        for start, end, e in found
        if e.kind == "member"
    }
    drugs |= {i + 1: (None, generic) for i, w in enumerate(words) if i + 1 not in drugs and (generic := other_drug(w))}
    for end, (cls, generic) in drugs.items():
        if end < len(tokens) and tokens[end] == WITHDRAWN and cls != ANTIPSYCHOTIC:
            return f"{generic} withdrawal"
    return ""


def asks_prognosis(concepts: set[str], names_nms: bool, tokens: list[str]) -> bool:
    """ "what percent of NMS pts die", "how long does recovery from nms take": how many die of NMS,
    and how long it takes to get over it, are its prognosis; the source's mortality and recovery
    figures compare treatments, and a question naming none, nor what one does ("does anything
    lower mortality"), asks the course."""
    said = set(tokens)
    if not names_nms:
        return False
    if MORTALITY in concepts and concepts <= DESCRIBING:
        return bool(HOW_MANY & said or not EFFECTS & said)
    # ("recovery time" is the evidence topic's phrase, for its treatments compared)
    how_long = HOW_LONG in pairwise(tokens) or TIME in said
    lasting = RECOVERY in said or LAST in said  # "how long does an episode of nms last"
    return lasting and how_long and concepts - {EVIDENCE} <= DESCRIBING and stem(EVIDENCE) not in said


def asks_cause(concepts: set[str], tokens: list[str], found: list[tuple[int, int, Entry]]) -> bool:
    """ "ck high why", "why is the temp so high": why a finding is there, asked next to it with no
    treatment named, asks its cause (what causes NMS), not how it is treated."""
    if WHY not in tokens or not concepts & FINDINGS or not concepts <= FINDINGS | {"nms"}:
        return False
    why = tokens.index(WHY)
    return any(entry.label in FINDINGS and a - 3 <= why < b + 3 for a, b, entry in found)
