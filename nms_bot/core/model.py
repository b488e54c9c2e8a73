"""The knowledge model: read-only dataclasses built by the loader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

TIERS = ("guideline", "research")
TIER_LABELS = {"guideline": "From the guideline", "research": "From the research"}
# An editor's workflow state in the topic file. "Approved" is not one of them: it comes only
# from a record in approvals.yaml whose fingerprint matches the current text (core/signoff.py).
REVIEW_STATES = ("draft", "under-review")
DEFAULT_REVIEW_INTERVAL_DAYS = 180


@dataclass(frozen=True)
class Reference:
    key: str
    text: str
    url: str | None = None
    n: int | None = None  # the source's own reference number, shown in every answer


@dataclass(frozen=True)
class Bullet:
    """One statement of a topic body, with its evidence tier and reference keys."""

    text: str
    tier: str
    cite: tuple[str, ...]


@dataclass(frozen=True)
class Owner:
    """A clinician responsible for a topic: Slack user id (reminders go there) and name."""

    slack_id: str
    name: str


@dataclass(frozen=True)
class Approval:
    """One sign-off from approvals.yaml: who, when, and the exact text they approved."""

    topic_id: str
    by: str
    date: dt.date
    note: str
    fingerprint: str
    text: tuple[str, ...]  # the approved text, line by line (signoff.approved_text)


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
    owners: tuple[Owner, ...] = ()
    review_interval_days: int | None = None  # None: the knowledge base's default
    approval: Approval | None = None  # set only while the approved text is unchanged

    @property
    def citations(self) -> tuple[str, ...]:
        """Reference keys in order of first use, guideline statements first."""
        keys: dict[str, None] = {}
        for bullet in self.bullets_in_order():
            keys.update(dict.fromkeys(bullet.cite))
        return tuple(keys)

    @property
    def approved(self) -> bool:
        """True only while an approval record matches the current text."""
        return self.approval is not None

    @property
    def review_state(self) -> str:
        """approved, else the editor's state (draft, under-review)."""
        return "approved" if self.approved else self.review

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
    status: str = ""  # the source's own review status, as it states it ("pending human review")


@dataclass(frozen=True)
class Scope:
    """What the bot is about, and what it declines.

    `subject` names NMS, and so do two or more of the `signs` together. `out_of_scope` maps a
    category (conditions, admin) to terms declined whatever else the question says; `not_covered`
    maps an NMS question the source does not cover (its name) to terms, also always declined;
    `purposes` maps another purpose of the bot's drugs and measures (depression, spasticity...) to
    terms declined unless the question names NMS; `other_conditions` likewise (anxiety, burns).
    A purpose term may join concepts with '+' ("antipsychotic + monitor"): all must be present.
    """

    greetings: tuple[str, ...] = ()
    subject: tuple[str, ...] = ()
    signs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # two or more name NMS too
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_covered: dict[str, tuple[str, ...]] = field(default_factory=dict)
    purposes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    other_conditions: tuple[str, ...] = ()  # like purposes, each term naming itself


@dataclass(frozen=True)
class RouteRule:
    """A question naming every concept of `when`, none of `unless` and, when given, one of the
    `asked_with` dose words is answered with `topic`."""

    when: tuple[str, ...]
    unless: tuple[str, ...]
    topic: str
    line: int = 0
    asked_with: tuple[str, ...] = ()  # dose words one of which the question must hold ("how often")


@dataclass(frozen=True)
class CarryRule:
    """When a question names `concept`, the answer leads with `topic`'s first statement."""

    concept: str
    topic: str
    already_in: tuple[str, ...] = ()  # topics whose own text already says it
    note: str = ""  # the answer's first line when the question names `concept` (not `topic`'s answer)


@dataclass(frozen=True)
class StatementPair:
    """A topic with a statement containing `if_text` must also have one containing `needs`."""

    if_text: str
    needs: str
    why: str


@dataclass(frozen=True)
class Safety:
    """Rules that keep every answer safe, whatever topic it shows (knowledge/safety.yaml)."""

    carry: tuple[CarryRule, ...] = ()
    dose_terms: tuple[str, ...] = ()
    dose_note: str = ""
    dose_note_first_action: str = ""  # the dose line when the question names a carry rule's concept
    pairs: tuple[StatementPair, ...] = ()
    next_terms: tuple[str, ...] = ()  # "what now?": asks for the next step, names no part of it
    next_topic: str = ""  # the answer to such a question when it names nothing else
    next_line: int = 0  # where `next` stands in safety.yaml, for the cross-checks
    routes: tuple[RouteRule, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The editorial policy (policy.yaml): who reviews, how approvals bind to the text, how often."""

    title: str
    sections: tuple[tuple[str, str], ...]  # (heading, text); text may hold {review_interval_days}


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
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> neutral terms
    # canonical -> drugs the source does not name, routed to what it says of their class
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    settings: frozenset[str] = frozenset()  # concepts that say where the question stands ("the ward")
    # a member from drug_classes.yaml -> (its generic, what the source says that an answer shows)
    drug_notes: dict[str, tuple[str, str]] = field(default_factory=dict)
    safety: Safety = field(default_factory=Safety)
    review_interval_days: int = DEFAULT_REVIEW_INTERVAL_DAYS
    approvals: dict[str, Approval] = field(default_factory=dict)  # every record, matching or not
    abbreviations: dict[str, str] = field(default_factory=dict)  # ECT -> electroconvulsive therapy
    policy: Policy | None = None  # policy.yaml, when the knowledge base keeps one

    def approved_only(self) -> Knowledge:
        """The same knowledge with every topic that is not approved removed."""
        topics = {tid: t for tid, t in self.topics.items() if t.approved}
        kept = {tid: replace(t, related=tuple(r for r in t.related if r in topics)) for tid, t in topics.items()}
        return replace(self, topics=kept)
