"""The knowledge model: read-only dataclasses built by the loader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

TIERS = ("guideline", "research")
TIER_LABELS = {"guideline": "From the guideline", "research": "From the research"}
REVIEW_STATES = ("draft", "under-review", "approved")


@dataclass(frozen=True)
class Reference:
    key: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Bullet:
    """One statement of a topic body, with its evidence tier and reference keys."""

    text: str
    tier: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    body: tuple[Bullet, ...]
    related: tuple[str, ...]
    updated: dt.date
    review: str

    @property
    def citations(self) -> tuple[str, ...]:
        """Reference keys in order of first use, guideline statements first."""
        keys: dict[str, None] = {}
        for bullet in self.bullets_in_order():
            keys.update(dict.fromkeys(bullet.cite))
        return tuple(keys)

    @property
    def approved(self) -> bool:
        return self.review == "approved"

    def bullets_in_order(self) -> list[Bullet]:
        """Body bullets grouped by tier, guideline first, as the source presents them."""
        return sorted(self.body, key=lambda b: TIERS.index(b.tier))


@dataclass(frozen=True)
class Disclaimer:
    short: str
    full: str


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    updated: dt.date


@dataclass(frozen=True)
class Scope:
    """Terms the bot declines: other conditions, admin requests; and greetings."""

    greetings: tuple[str, ...] = ()
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Knowledge:
    version: str
    source: Source
    disclaimer: Disclaimer
    topics: dict[str, Topic]
    references: dict[str, Reference]
    synonyms: dict[str, tuple[str, ...]]
    filler: frozenset[str]
    scope: Scope

    def approved_only(self) -> Knowledge:
        """The same knowledge with every topic that is not approved removed."""
        topics = {tid: t for tid, t in self.topics.items() if t.approved}
        kept = {
            tid: replace(t, related=tuple(r for r in t.related if r in topics))
            for tid, t in topics.items()
        }
        return replace(self, topics=kept)
