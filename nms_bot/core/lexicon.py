"""Phrase tables: what each phrase of the vocabulary means, looked up longest phrase first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Entry:
    """What a phrase of the vocabulary means."""

    kind: str  # synonym | member | context | dose | ask
    target: tuple[str, ...] = ()  # the stems it stands for (synonyms and members)
    label: str = ""  # the canonical term, or the context/dose term as listed


class Phrases(Generic[V]):
    """Lookup of stem tuples, longest match first."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, ...], V] = {}
        self.longest = 1
        self.starts: dict[str, int] = {}  # first word -> the longest phrase it begins (most words begin none)

    def add(self, phrase: tuple[str, ...], value: V) -> None:
        # A question loses its single letters ("what do i do" reads "what do do"), so a phrase of
        # several words loses them too, or it could never match.
        if len(phrase) > 1:
            phrase = tuple(t for t in phrase if len(t) > 1 or not t.isalpha())
        if phrase:
            self.table.setdefault(phrase, value)
            self.longest = max(self.longest, len(phrase))
            self.starts[phrase[0]] = max(self.starts.get(phrase[0], 0), len(phrase))

    def scan(self, tokens: list[str]) -> list[tuple[int, int, V]]:
        """(start, end, value) of each longest match, left to right."""
        found, i = [], 0
        while i < len(tokens):
            for n in range(min(self.starts.get(tokens[i], 0), len(tokens) - i), 0, -1):
                value = self.table.get(tuple(tokens[i : i + n]))
                if value is not None:
                    found.append((i, i + n, value))
                    i += n
                    break
            else:
                i += 1
        return found
