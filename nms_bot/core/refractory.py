"""A case or finding resisting treatment, however the question says so: a treatment that failed
("if dantro and bromo both fail"), no response ("didn't help"), still there after what was given
("still febrile despite bromo"), a finding with its value not budging. A part of Situations."""

from __future__ import annotations

from collections.abc import Callable

from .drugs import is_drug_name
from .lexicon import Entry, Phrases
from .readout import Reading
from .text import stem

REFRACTORY = "refractory"  # and of a finding or case resisting treatment
FAILURE = "failure"  # and of an organ failing
CONDITIONAL = frozenset(("if", "unless", "once"))  # "only if supportive care fails": what the condition names
EVERYTHING = frozenset(("everything", "all"))
FAILING = frozenset(("fail", "fails", "failing"))  # as typed: "failure" is an organ's, "failed" already refractory
ORGANS = frozenset(("renal", "renal failure", "respiratory", "function"))  # the concepts of organs failing
NEGATIONS = frozenset(("not", "no", "doesnt", "dont", "didnt", "isnt", "wont", "hasnt", "havent", "arent", "never"))
RESPONDING = frozenset(
    stem(w)
    for w in ("respond", "response", "responding", "improve", "improving", "work", "help", "helped", "better", "change")
)
STILL = frozenset(stem(w) for w in ("still", "remains", "remained", "persists", "persisted"))  # "remains rigid"
ON = stem("on")
GIVEN_WORDS = frozenset(stem(w) for w in ("despite", "after"))  # what follows was given
# what was done to a drug, told in the past ("we stopped both"), as typed ("stopped" is "stop" once stemmed)
DONE = frozenset(("stopped", "held", "discontinued", "dced", "dcd", "d/cd", "d/ced", "gave", "given", "got", "started"))


class Refractory:
    """Mixed into Situations, which provides the vocabulary."""

    lexicon: Phrases[Entry]
    stems_of: Callable[[str], tuple[str, ...]]  # a concept's stems
    _drop: Callable[[Reading, str], None]  # the question does not ask about a concept after all
    _ask: Callable[[Reading, str, int], None]  # it asks about a concept, in a clause

    def _failed_treatment(self, r: Reading, tokens: list[str], given: list[tuple[str, str, bool]]) -> None:
        """ "if dantro and bromo both fail": a treatment that fails is a case resisting treatment,
        not an organ failing ("renal failure"), when the question names a treatment and no organ."""
        if FAILURE not in r.concepts or not FAILING & set(r.words) or r.concepts & ORGANS:
            return
        if not given and not any(is_drug_name(c) for c in r.concepts) and not EVERYTHING & set(r.words):
            return  # ("failing everything": every treatment tried, none named)
        clause = max((r.clause[s] for s in self.stems_of(FAILURE) if s in r.clause), default=0)
        self._drop(r, FAILURE)
        # what failed is what was given: the setting of the question, not what it asks about; after
        # "if" ("start bromocriptine, or only if supportive care fails?"), only what the "if" names
        fails = next(i for i, w in enumerate(r.words) if w in FAILING)
        supposed = [i for i in range(fails) if r.words[i] in CONDITIONAL and r.clauses[i] == r.clauses[fails]]
        if supposed:
            failed = {t for i in range(supposed[-1], fails) for t in (tokens[i], *self._target(tokens[i]))}
            r.content.update({s: True for s in r.content if s in failed})
        else:
            r.content.update({s: True for s in r.content if r.clause[s] <= clause})
        self._ask(r, REFRACTORY, clause)
        if supposed and any(not setting and r.clause[s] < clause for s, setting in r.content.items()):
            # what was asked before the "if" is the question; the case resisting treatment, supposed
            r.content.update({s: True for s in self.stems_of(REFRACTORY) if s in r.content})

    def _target(self, token: str) -> tuple[str, ...]:
        """The stems one word stands for in the vocabulary, if it is one of its words."""
        entry = self.lexicon.table.get((token,))
        return entry.target if entry is not None else ()

    def _no_response(self, r: Reading, tokens: list[str]) -> None:
        """ "if she doesn't respond to any of that", "didn't help", "no change": a case that does
        not respond resists treatment, however the negation is put."""
        if REFRACTORY in r.concepts:
            return
        for i, word in enumerate(r.words):
            if word in NEGATIONS and RESPONDING & set(tokens[i + 1 : i + 3]):
                for t in (tokens[i], *(t for t in tokens[i + 1 : i + 3] if t in RESPONDING)):
                    r.content.pop(t, None)  # the words that say it count as the concept they say
                self._ask(r, REFRACTORY, r.clauses[i])
                return

    def _refractory_case(self, r: Reading, tokens: list[str]) -> None:
        """ "still febrile despite bromo and dantrolene", "still rigid after 3 days of dantrolene":
        a case still there after what was given resists treatment (the source's "lack of response
        to other treatments"), whatever words say so."""
        given = [s for s, setting in r.content.items() if setting and s not in r.valued]
        if REFRACTORY in r.concepts or not given or not STILL & set(tokens):
            return
        still = next(i for i, t in enumerate(tokens) if t in STILL)
        # "stopped haldol, IVF, still worse"; "still rigid on full supportive care" (not "still on haldol")
        on = ON in tokens[still + 2 :]
        if GIVEN_WORDS & set(tokens) or DONE & set(r.words) or on:
            self._ask(r, REFRACTORY, r.clauses[still])

    def _refractory_finding(self, r: Reading) -> None:
        """ "temp 40.8 not budging": a finding given a value and said to resist treatment, in one
        clause, is what is asked about, not the setting of the question."""
        if REFRACTORY not in r.concepts:
            return
        clauses = {r.clause[s] for s in self.stems_of(REFRACTORY) if s in r.clause}
        for s in r.valued:
            if r.clause.get(s) in clauses:
                r.content[s] = False
