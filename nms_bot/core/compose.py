"""Turn a matcher verdict into an Answer: what to say, with what safety.yaml makes every answer carry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .matcher import Match
from .model import TIER_LABELS, TIERS, Bullet, Knowledge, Reference, Topic
from .outofscope import DECLINED_UNLESS_NAMED
from .situations import RESTART
from .text import normalise, words
from .thresholds import MAX_SUGGESTIONS

AGITATION = "agitation"  # the synonyms.yaml concept of agitation
CAUTION = "Pending clinical review: this topic has not yet been approved by the clinical editors."
CAUTION_CHANGED = "Pending clinical review: this topic has changed since the clinical editors approved it."
BULLET = "\u2022"
AWAITING_APPROVAL = "awaiting_approval"  # a decline's reason: the topic asked about is not served yet


@dataclass(frozen=True)
class Citation:
    n: int
    key: str
    text: str
    url: str | None


@dataclass(frozen=True)
class Statement:
    text: str
    tier: str
    numbers: tuple[int, ...]

    def line(self) -> str:
        return f"{BULLET} {self.text} [{','.join(map(str, self.numbers))}]"


@dataclass(frozen=True)
class Answer:
    """Everything an adapter needs to show one reply, whatever the surface."""

    question: str
    status: str  # answer | suggest | none
    knowledge: Knowledge
    score: int = 0
    topic: Topic | None = None
    statements: tuple[Statement, ...] = ()
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[tuple[Topic, int], ...] = ()
    reason: str = ""
    scope: tuple[str, str] | None = None
    carried: tuple[str, ...] = ()  # topics whose statements lead this answer (safety.yaml)
    joined: tuple[Topic, ...] = ()  # topics the question asks about as much, shown after the first
    notes: tuple[str, ...] = ()  # plain lines under the statements: no doses, unnamed drugs
    # The reader's form (core/forms.py): key statements only, references left to the whole answer;
    # the abbreviations spelled out (None: kept short).
    brief: bool = False
    spelled_out: tuple[str, ...] | None = None

    @property
    def heading(self) -> str:
        """The first line: the topic's title, saying that it is about NMS, so an answer read alone
        (or reached by a question about something else) never reads as general advice."""
        if not self.topic:
            return ""
        title = " + ".join(t.title for t in (self.topic, *self.joined))
        # The first title read must say it: "Restarting ... + NMS treatment: overview" reads too late.
        return title if re.search(r"\bnms\b", self.topic.title, re.IGNORECASE) else f"NMS: {title}"

    @property
    def disclaimer(self) -> str:
        return self.knowledge.disclaimer.short

    @property
    def related(self) -> tuple[Topic, ...]:
        if not self.topic:
            return ()
        topics = self.knowledge.topics
        return tuple(topics[r] for r in self.topic.related if r in topics)

    @property
    def caution(self) -> str | None:
        pending = [t for t in (self.topic, *self.joined) if t and not t.approved]
        if not pending:
            return None
        return CAUTION_CHANGED if pending[0].id in self.knowledge.approvals else CAUTION

    @property
    def footer(self) -> str:
        version = f"knowledge {self.knowledge.version}"
        if not self.topic:
            return version
        approval = self.topic.approval  # only set while the approved text is unchanged
        reviewed = f"Reviewed by {approval.by} on {approval.date.isoformat()} \u00b7 " if approval else ""
        return f"{reviewed}Updated {self.topic.updated.isoformat()} \u00b7 {version}"

    def by_tier(self) -> list[tuple[str, list[Statement]]]:
        return group_by_tier(self.statements)


def number_statements(
    topic: Topic, references: dict[str, Reference], lead: tuple[Bullet, ...] = (), tail: tuple[Bullet, ...] = ()
) -> tuple[list[Statement], dict[str, int]]:
    """The topic's statements, guideline first, after any `lead` ones. Citations carry the source's
    own reference numbers (references.yaml `n`), so the same paper has the same number in every
    answer and can be checked against the source page; a reference without one is numbered after
    the highest, by first use."""
    numbers: dict[str, int] = {}
    free = max((r.n or 0 for r in references.values()), default=0)
    statements = []
    said: list[tuple[str, set[str]]] = []  # (plain text, citation keys) of each statement kept
    # A statement two shown topics share (the overall trial result) is said once, and so is one
    # whose words an earlier one already says with the same sources ("Treatment focuses on
    # supportive care..." shown whole by one topic and cut short by another).
    for bullet in dict.fromkeys((*lead, *topic.bullets_in_order(), *tail)):
        plain = _plain(bullet.text)
        if any(plain in earlier and set(bullet.cite) <= keys for earlier, keys in said):
            continue
        said.append((plain, set(bullet.cite)))
        for key in bullet.cite:
            if key not in numbers:
                ref = references.get(key)
                if ref is not None and ref.n is not None:
                    numbers[key] = ref.n
                else:
                    free += 1
                    numbers[key] = free
        statements.append(Statement(bullet.text, bullet.tier, tuple(numbers[k] for k in bullet.cite)))
    return statements, dict(sorted(numbers.items(), key=lambda kv: kv[1]))


def answer_topic(
    knowledge: Knowledge,
    topic: Topic,
    question: str = "",
    score: int = 100,
    carried: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    joined: tuple[Topic, ...] = (),
) -> Answer:
    """The Answer that shows one topic, led by the statements of each `carried` topic (the stop
    topic's are both the causative agent's and the class-wide discontinuation), and followed by
    the `joined` topics' when the question asks about each."""
    lead = tuple(b for t in carried for b in knowledge.topics[t].bullets_in_order())
    tail = tuple(b for t in joined for b in t.bullets_in_order())
    statements, numbers = number_statements(topic, knowledge.references, lead, tail)
    refs = knowledge.references
    citations = tuple(Citation(n, k, refs[k].text, refs[k].url) for k, n in numbers.items())
    return Answer(
        question,
        "answer",
        knowledge,
        score,
        topic,
        tuple(statements),
        citations,
        carried=carried,
        notes=notes,
        joined=joined,
    )


def carried_topics(knowledge: Knowledge, match: Match, shown: str | None) -> tuple[str, ...]:
    """Topics whose statements an answer must lead with: the question names the rule's concept, or
    asks for the next step in NMS ("intubated, CK 50,000, T 41, nms - priorities?": the
    first action is never left out), and the topic shown does not already say it. A next step
    asked leads with it even where the topic lists it among others (the overview's key
    components): it is then the first line read. Suggestions (`shown` None) offer the topic first
    only when the question names the concept."""
    r = match.reading
    next_step = bool(r.asks_next) and r.subject and shown is not None
    return tuple(
        rule.topic
        for rule in knowledge.safety.carry
        if (rule.concept in r.concepts or next_step)
        and rule.topic in knowledge.topics
        and shown != rule.topic
        and (next_step or shown not in rule.already_in)
    )


def answer_notes(knowledge: Knowledge, match: Match) -> tuple[str, ...]:
    """One plain line each when a dose was asked for, when a drug the source does not name was, and
    when another condition or purpose named beside NMS was (the source covers neither)."""
    notes = []
    safety = knowledge.safety
    named = [rule for rule in safety.carry if rule.concept in match.reading.concepts]
    if match.reading.dose and safety.dose_note:
        # "Another dose of haldol?": for the drug to stop, the line says so instead of "look it up".
        notes.append(safety.dose_note_first_action if named and safety.dose_note_first_action else safety.dose_note)
    elif first := [r.note for r in named if r.note and r.topic != match.topic_id]:
        # "haldol 5 IM for the agitation?": what the source says of that drug is the first line read.
        notes.append(first[0])
    known = knowledge.drug_notes
    drugs = list(dict.fromkeys(drug for drug, _ in match.reading.members))
    classed = [d for d in drugs if d in known]
    if classed:
        # One name per generic: "haloperidol or haldol (haloperidol)" reads as two drugs.
        by_generic = {known[d][0]: d for d in reversed(classed)}
        named = [g if d == g or g in classed else f"{d} ({g})" for g, d in reversed(by_generic.items())]
        labels = list(dict.fromkeys(known[d][1] for d in classed))
        notes.append(
            f"The source does not name {_listed(named)} specifically: what is shown is what it says of "
            f"{_listed(labels, 'and')}."
        )
    if unclassed := [d for d in drugs if d not in known]:  # synonyms.yaml members: no class label
        notes.append(f"The source does not mention {_listed(unclassed)}.")
    if also := list(dict.fromkeys(match.reading.also)):
        notes.append(f"The source does not cover {_listed(also)}: nothing here is specific to {_pronoun(also)}.")
    return tuple(notes)


def _listed(items: list[str], word: str = "or") -> str:
    return f" {word} ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _pronoun(items: list[str]) -> str:
    return "them" if len(items) > 1 else "it"


def build_answer(knowledge: Knowledge, match: Match, question: str) -> Answer:
    """The Answer for a matcher verdict, with what safety.yaml says every answer must carry."""
    if match.status == "answer" and match.topic_id in knowledge.topics:
        topic = knowledge.topics[match.topic_id]
        return answer_topic(
            knowledge,
            topic,
            question,
            round(match.score * 100),
            carried_topics(knowledge, match, topic.id),
            answer_notes(knowledge, match),
            tuple(knowledge.topics[t] for t in match.joined if t in knowledge.topics),
        )
    ranked = [(tid, score) for tid, score in match.suggestions if tid in knowledge.topics]
    if match.reason != "out_of_scope" or (match.scope and match.scope[0] in DECLINED_UNLESS_NAMED):
        # Not an answer, but the first action is offered first all the same; a question about
        # restarting an antipsychotic ("back on his risperdal once CK is normal?") has it offered
        # after the restart topic, whose answer it leads anyway. Not another one for the agitation
        # ("switch him to zyprexa for agitation"): during NMS that is stopping them.
        first = carried_topics(knowledge, match, None)
        rest = [r for r in ranked if r[0] not in first]
        if RESTART in match.reading.concepts and AGITATION not in match.reading.concepts and rest:
            ranked = (rest[:1] + [(tid, 1.0) for tid in first] + rest[1:])[:MAX_SUGGESTIONS]
        else:
            ranked = ([(tid, 1.0) for tid in first] + rest)[:MAX_SUGGESTIONS]
    suggestions = tuple((knowledge.topics[tid], round(score * 100)) for tid, score in ranked)
    status = "suggest" if suggestions else "none"
    return Answer(
        question,
        status,
        knowledge,
        round(match.score * 100),
        suggestions=suggestions,
        reason=match.reason,
        scope=match.scope,
        # A menu for a dose question says first that the source gives none, whichever is picked.
        notes=answer_notes(knowledge, match) if suggestions and match.reason != "out_of_scope" else (),
    )


@cache
def _plain(text: str) -> str:
    """A statement's words without markup, punctuation or case (statements are few and fixed)."""
    return " ".join(words(normalise(text)))


def group_by_tier(statements: list[Statement] | tuple[Statement, ...]) -> list[tuple[str, list[Statement]]]:
    """Statements under their tier label, guideline first."""
    groups = [(t, [s for s in statements if s.tier == t]) for t in TIERS]
    return [(TIER_LABELS[t], items) for t, items in groups if items]


def section_texts(topic: Topic) -> list[tuple[str, str]]:
    """(tier label, text) of each body section as shown, for the length check."""
    statements, _ = number_statements(topic, {})
    return [(label, "\n".join(s.line() for s in items)) for label, items in group_by_tier(statements)]
