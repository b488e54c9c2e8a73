"""How one question was read: the words, their clauses, what each was taken to mean."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reading:
    """How one question was read; `content` (stem -> a setting?) is what scoring weighs."""

    words: list[str] = field(default_factory=list)
    clauses: list[int] = field(default_factory=list)  # the clause number of each word
    asking: set[int] = field(default_factory=set)  # the clauses that ask (a "?" or a question word)
    marked: set[int] = field(default_factory=set)  # the clauses that end with a "?"
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (typed phrase, canonical)
    members: list[tuple[str, str]] = field(default_factory=list)  # (drug, canonical class)
    context: list[str] = field(default_factory=list)
    dose: list[str] = field(default_factory=list)
    asks_next: list[str] = field(default_factory=list)  # "what now?": safety.yaml `next` terms met
    filler: list[str] = field(default_factory=list)
    content: dict[str, bool] = field(default_factory=dict)  # stem -> a setting ("CK 12k", "on haldol")
    clause: dict[str, int] = field(default_factory=dict)  # stem -> the last clause it stands in
    valued: set[str] = field(default_factory=set)  # stems given a value ("CK 31k", "temp 40")
    concepts: set[str] = field(default_factory=set)  # canonical terms met
    subject: bool = False  # the question names NMS, or describes it by two or more signs
    signs: list[str] = field(default_factory=list)
    scope: tuple[str, str] | None = None  # (category, term) that puts it out of scope
    # other conditions or purposes named beside NMS: answered, with a line that the source
    # does not cover them
    also: list[str] = field(default_factory=list)
    # drugs the vocabulary does not know but the drug dictionary does (valproate, precedex): the
    # source says nothing of them; a question about one that does not name NMS is declined
    other_drugs: list[str] = field(default_factory=list)
    greeting: bool = False

    def add(self, s: str, setting: bool, clause: int) -> None:
        """Count a content stem; met twice, it is a setting only if it was both times."""
        self.content[s] = self.content[s] and setting if s in self.content else setting
        self.clause[s] = clause
