"""What names NMS, what describes it, and what puts a question out of scope: scope.yaml's phrase
tables, met both as written and past hedges ("how long does nms *usually* last")."""

from __future__ import annotations

from .lexicon import Phrases
from .model import Knowledge
from .text import stem, stems

DENIALS = frozenset(stem(w) for w in ("no", "not", "without", "w/o", "non", "neg", "negative"))
# "missed *his* sinemet": whose it is says nothing of the scope
DETERMINERS = frozenset(stem(w) for w in ("his", "her", "their"))


class ScopeTables:
    """Built once per knowledge base, read-only afterwards."""

    def __init__(self, knowledge: Knowledge, hedges: set[str]):
        self.hedges = hedges
        self.passed = frozenset(hedges) | DETERMINERS
        self.scope: Phrases[tuple[str, str]] = Phrases()
        for category, terms in knowledge.scope.out_of_scope.items():
            for term in terms:
                self.scope.add(tuple(stems(term)), (category, term))
        for label, terms in knowledge.scope.not_covered.items():
            for term in terms:
                self.scope.add(tuple(stems(term)), ("not_covered", label))
        self.purposes: Phrases[tuple[str, str]] = Phrases()
        self.compound_purposes: list[tuple[str, list[tuple[str, ...]]]] = []
        for label, terms in knowledge.scope.purposes.items():
            for term in terms:
                if "+" in term:
                    self.compound_purposes.append((label, [tuple(stems(p)) for p in term.split("+")]))
                else:
                    self.purposes.add(tuple(stems(term)), ("purposes", label))
        for term in knowledge.scope.other_conditions:
            self.purposes.add(tuple(stems(term)), ("other_conditions", term))
        # The same terms without hedges, numbers or determiners, for questions read without theirs
        # ("how long does nms usually last", "missed 3 days", "missed his sinemet"); a term that is
        # all hedges is met only as written.
        self.unhedged: list[Phrases[tuple[str, str]]] = []
        for table in (self.scope, self.purposes):
            bare: Phrases[tuple[str, str]] = Phrases()
            for phrase, hit in table.table.items():
                if kept := tuple(t for t in phrase if not self._passed(t)):
                    bare.add(kept, hit)
            self.unhedged.append(bare)
        self.subject: Phrases[str] = Phrases()
        for term in knowledge.scope.subject:
            for phrase in (term, *knowledge.synonyms.get(term, ())):
                self.subject.add(tuple(stems(phrase)), term)
        self.signs: Phrases[str] = Phrases()
        self.sign_names = set(knowledge.scope.signs)
        for sign, terms in knowledge.scope.signs.items():
            for term in terms:  # a sign named by a concept is met by its synonyms too ("cooking")
                for phrase in (term, *knowledge.synonyms.get(term, ())):
                    self.signs.add(tuple(stems(phrase)), sign)

    def _passed(self, token: str) -> bool:
        return token in self.passed or token[0].isdigit()

    def signs_met(self, tokens: list[str]) -> list[tuple[int, int, str]]:
        """The signs of NMS the tokens name, except those said to be absent ("no fever",
        "rigidity neg"): an absent sign describes no NMS."""
        around = ["", *tokens, ""]  # the words before and after each span, or nothing
        return [(a, b, sign) for a, b, sign in self.signs.scan(tokens) if not {around[a], around[b + 1]} & DENIALS]

    def hits(self, tokens: list[str]) -> list[tuple[int, int, tuple[str, str]]]:
        """Scope terms met as written, and read past hedges, numbers and determiners ("how long does
        nms *usually* last", "missed *3* days", "missed *his* sinemet")."""
        passed = self.passed
        kept = [i for i, t in enumerate(tokens) if t not in passed and not t[0].isdigit()]
        plain = [tokens[i] for i in kept]
        read_past = [(kept[a], kept[b - 1] + 1, hit) for table in self.unhedged for a, b, hit in table.scan(plain)]
        as_written = [*self.scope.scan(tokens), *self.purposes.scan(tokens)]
        return list(dict.fromkeys((*as_written, *read_past)))
