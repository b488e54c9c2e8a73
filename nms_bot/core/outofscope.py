"""What puts a question, or a part of it, out of scope: another condition, an NMS question the
source does not cover (its causes, diagnosis, course), an admin request, another purpose of the
bot's drugs, a drug's withdrawal syndrome. A part of Reader: it decides before the topics are read
whether the question is declined, and which parts are set aside and noted in the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .drugs import is_drug_name
from .lexicon import Entry
from .lookalikes import CAUSES, COURSE, WITHDRAWAL, asks_cause, asks_prognosis, withdrawal_syndrome
from .readout import Reading
from .scopes import ScopeTables
from .text import stem

RELATIVE = frozenset(("that", "which"))
ONE = frozenset(("one", "ones"))  # "just the one that caused it": the drug, named by a pronoun
INFLAMMATION = re.compile(r"[a-z]{4,}itis")  # a condition named by its suffix: "pancreatitis"
# Scope categories declined only when the question does not name NMS.
DECLINED_UNLESS_NAMED = frozenset({"purposes", "other_conditions", "other_drugs"})
ADMIN = "admin"  # the scope.yaml category of administrative questions
CONDITIONS = "conditions"  # and of other conditions, declined even beside NMS
# "for NMS or only for MH", "not just MH": the drug asked about in NMS (not "NMS vs MH", a comparison)
CONTRAST = frozenset(stem(w) for w in ("only", "just"))
NOT_COVERED = "not_covered"  # the scope category of NMS questions the source does not cover
# its label of a patient said not to have NMS: the whole question's, never a part set aside
WITHOUT_NMS = "a patient without NMS"


@dataclass
class SetAside:
    """The parts of a question that are not asked about NMS treatment, though the rest is."""

    uncovered: dict[int, tuple[str, str]] = field(default_factory=dict)  # clause -> the scope term met there
    purpose: set[int] = field(default_factory=set)  # clauses saying what the answer is for (admin)
    aside: set[int] = field(default_factory=set)  # where another condition set against NMS is named


class OutOfScope:
    """Mixed into Reader, which provides the tables."""

    scopes: ScopeTables
    member_class: dict[str, str]
    drug_notes: dict[str, tuple[str, str]]
    topic_stems: set[str]
    known_stems: set[str]
    course: bool  # whether scope.yaml has the labels the prognosis and cause rules decline with
    causes: bool
    names_drug: Callable[[Entry], bool]  # whether an entry names a drug or class the source names

    def _out_of_scope(self, r: Reading, tokens: list[str], found: list[tuple[int, int, Entry]]) -> SetAside | None:
        """The parts set aside, or None when `r.scope` now declines the whole question. Another
        purpose of the bot's drugs, another condition or drug is declined only when the question
        does not name NMS (named, it is noted)."""
        # "burning up" is a fever, not burns: a longer vocabulary phrase outranks a scope term in it.
        spans = [(start, end) for start, end, _ in found]
        # "the risperidone that caused it": a drug's relative clause names the drug, asks no cause.
        drugs_end = {end for _, end, entry in found if self.names_drug(entry)}
        hits = [
            (a, b, hit)
            for a, b, hit in self.scopes.hits(tokens)
            if not any(s <= a and b <= e and e - s > b - a for s, e in spans)
            and not (a > 0 and tokens[a - 1] in RELATIVE and (a - 1 in drugs_end or (a > 1 and tokens[a - 2] in ONE)))
        ]
        # "bromocriptine dose, and also what causes nms?": a question the source does not cover,
        # asked beside one about a drug it names, is noted and set aside; alone, it is declined.
        parts = SetAside()
        for a, b, hit in hits:
            if hit[0] in DECLINED_UNLESS_NAMED:
                continue
            clause = r.clauses[a]
            beside = hit[1] != WITHOUT_NMS and r.asking - {clause} & set(r.clauses)
            if hit[0] == NOT_COVERED and clause in r.asking and beside:
                parts.uncovered.setdefault(clause, hit)
                continue
            if hit[0] == ADMIN and clause not in r.asking and r.asking - {clause}:
                # "for the d/c summary: what do we tell the SNF about...": what it is for, not what is asked
                parts.purpose.add(clause)
                continue
            if hit[0] == CONDITIONS and self._contrasted(r, tokens, a, found):
                r.also.append(hit[1])  # noted in the answer, which covers only NMS
                parts.aside.update(range(a, b))
                continue
            r.scope = hit
            return None
        if withdrawn := withdrawal_syndrome(r.words, tokens, found, self.member_class, self.drug_notes):
            r.scope = (WITHDRAWAL, withdrawn)
            return None
        named = [hit for _, _, hit in hits if hit[0] in DECLINED_UNLESS_NAMED]
        # "fluids for gastroenteritis": an inflammation the lists lack is still another condition
        inflamed = [
            ("other_conditions", w)
            for w, t in zip(r.words, tokens, strict=True)
            if INFLAMMATION.fullmatch(w) and t not in self.topic_stems
        ]
        for category, term in (*named, *inflamed, *(("other_drugs", d) for d in r.other_drugs)):
            if r.subject:
                r.also.append(term)
            elif not r.scope:
                r.scope = (category, term)
        return parts

    def _declined_after_all(
        self,
        r: Reading,
        tokens: list[str],
        found: list[tuple[int, int, Entry]],
        parts: SetAside,
        drug_clauses: dict[str, set[int]],
    ) -> bool:
        """Take the parts set aside out of what is asked; True when, without them, nothing about
        NMS treatment is asked (or the question asks NMS's course), so `r.scope` declines it."""
        for s in [s for s in r.content if r.clause[s] in parts.purpose]:
            del r.content[s]
        # (the condition set against NMS says nothing of what is asked: "or only for malignant hyperthermia")
        named_aside = {s for start, _, entry in found if start in parts.aside for s in entry.target} | {
            tokens[i] for i in parts.aside
        }
        for s in named_aside & r.content.keys():
            del r.content[s]
        if parts.uncovered:
            for s in [s for s in r.content if r.clause[s] in parts.uncovered]:
                del r.content[s]
            # Set aside only beside a question about a drug the source names ("how many die" beside
            # "prognosis?" asks the same thing again), and not one the set-aside part named itself
            # ("which antipsychotics cause NMS - is it worse with depots?" asks about causes twice).
            elsewhere = {c for c, clauses in drug_clauses.items() if clauses - parts.uncovered.keys()}
            also_aside = {c for c, clauses in drug_clauses.items() if clauses & parts.uncovered.keys()}
            if not elsewhere or elsewhere <= also_aside or not any(s in self.known_stems for s in r.content):
                r.scope = next(iter(parts.uncovered.values()))
                return True
            r.also.extend(hit[1] for hit in parts.uncovered.values())
        if self.course and asks_prognosis(r.concepts, r.subject, tokens):
            r.scope = (NOT_COVERED, COURSE)
            return True
        if self.causes and asks_cause(r.concepts, tokens, found):
            r.scope = (NOT_COVERED, CAUSES)
            return True
        return False

    def _contrasted(self, r: Reading, tokens: list[str], at: int, found: list[tuple[int, int, Entry]]) -> bool:
        """ "is dantrium used for nms or only for malignant hyperthermia": another condition set
        against NMS, in a question naming NMS and a drug the source names, asks about that drug in
        NMS."""
        drug = any(is_drug_name(entry.label) for *_, entry in found)
        return r.subject and drug and bool(CONTRAST & set(tokens[max(0, at - 3) : at]))
