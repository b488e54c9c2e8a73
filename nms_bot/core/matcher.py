"""Match a typed question to a topic: answer, suggest ("did you mean"), or decline.

Scoring is lexical and explainable. The question is read first (`reading`): typos corrected,
synonyms mapped, clinical context, dose words and filler set aside. A topic's score is the share
of the question's remaining information it covers: each stem weighs by how rare it is across
topics (BM25's IDF), and counts fully when the topic's title or keywords hold it, partly when
only its questions or its body do. A setting ("CK 12k", "temp 40", "on haldol", "in the ICU") weighs
half: it is usually where the question stands rather than what it asks. Words the knowledge base has never
seen weigh too, so "alcohol withdrawal benzodiazepines" covers only part of its meaning and is
not answered; once the question names NMS they weigh far less, because then they are mostly
how the clinician put it ("in a nutshell", "worried about").

What kind of question it is decides before the scores do: the clause that asks (a "?" or a
question word) is the focus, not the scene before it; a question naming the concepts of a
safety.yaml `route` gets its topic ("another antipsychotic for the agitation?"); "what now?" of an
NMS case naming no part of the treatment gets the first actions (`next`). Two or three topics that
tie, each named for something only it holds ("dantrolene vs bromocriptine?"), are answered
together, since the source answers each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from .index import index_topics
from .joining import Joining
from .model import Knowledge
from .outofscope import DECLINED_UNLESS_NAMED
from .reading import Reader, Reading
from .situations import ACTIONS
from .spelling import english_words
from .text import stem
from .thresholds import (
    CARRIED_MIN,
    DISTINCT_SHARE,
    FOCUS,
    MARGIN,
    MAX_SUGGESTIONS,
    SETTING_SHARE,
    SUGGEST_MIN,
    TIE_MIN,
    UNKNOWN_SHARE,
    UNKNOWN_SHARE_NAMED,
    answer_min,
)

# The context.yaml kind whose words ask about a combination ("together", "along with").
COMBINING = "combination"
# The concept (a key of synonyms.yaml) that says a question asks about treatment in general.
GENERIC_CONCEPT = "treatment"
PARTS = "parts"  # Match.rule of an answer joining the parts of a question
SUBJECT = "subject"  # Match.rule of an answer to NMS named alone
GENERAL = "general"  # and of one to how NMS is treated, in general


@dataclass(frozen=True)
class Match:
    """The matcher's verdict. `reason` explains a decline: greeting, out_of_scope, no_match."""

    status: str  # "answer" | "suggest" | "none"
    topic_id: str | None = None
    score: float = 0.0
    suggestions: tuple[tuple[str, float], ...] = ()
    reason: str = ""  # a decline's or suggestion's cause: greeting, out_of_scope, no_match, subject_only
    scope: tuple[str, str] | None = None  # (category, term) that put the question out of scope
    reading: Reading = field(default_factory=Reading, compare=False, repr=False)
    weights: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    ranked: tuple[tuple[str, float], ...] = field(default=(), compare=False, repr=False)
    tie_with: str = ""  # answered by the first-action tie rule: the first action tied with
    joined: tuple[str, ...] = ()  # topics the question asks about as much, shown in the same answer
    # answered by a rule whatever the scores: safety.yaml's "route: a + b" or "next", "parts" or "subject"
    rule: str = ""


DEMONSTRATIVES = frozenset(("that", "this", "those"))


class Matcher(Joining):
    """Built once per knowledge base (read-only afterwards, safe to share between threads)."""

    def __init__(self, knowledge: Knowledge):
        self.reader = Reader(knowledge)
        self.subject_stems = {s for term in knowledge.scope.subject for s in self.reader.content_stems(term)}
        held = index_topics(knowledge, self.reader)
        self.index, self.distinct, self.idf = held.index, held.distinct, held.idf
        self.unknown_weight = UNKNOWN_SHARE * held.rarest
        self.places = {s for c in knowledge.settings for s in self.reader.content_stems(c)}
        self.combining = set(knowledge.context.get(COMBINING, ()))
        self.generic = set(self.reader.content_stems(GENERIC_CONCEPT))
        self.routes = [r for r in knowledge.safety.routes if r.topic in knowledge.topics]
        self.next_topic = knowledge.safety.next_topic if knowledge.safety.next_topic in knowledge.topics else ""
        self.dose_terms = set(knowledge.safety.dose_terms)
        self.first_actions = {r.concept: r.topic for r in knowledge.safety.carry if r.topic in knowledge.topics}

    def weigh(self, reading: Reading, placed: set[str]) -> dict[str, float]:
        """Each content stem's weight in this question; `placed`: where the patient is, as its setting."""
        unknown = self.unknown_weight * (UNKNOWN_SHARE_NAMED / UNKNOWN_SHARE if reading.subject else 1)
        named = [s for s in reading.content if s in self.idf and s not in self.subject_stems]
        # A clause naming only the setting ("ok with CK 20k and AKI?") asks about what came before it.
        topical = [reading.clause[s] for s in named if not reading.content[s]] or [reading.clause[s] for s in named]
        # The last asking clause is the focus, with any other ended by a "?" ("stop the haldol? and
        # what for the agitation" asks two things); failing one, the last clause naming something.
        asked = [c for c in topical if c in reading.asking]
        several = bool(topical) and len(set(reading.clause.values())) > 1
        focus = {max(asked or topical), *(c for c in asked if c in reading.marked)} if several else set()
        # "heparin sq for nms, is that part of the tx": what "that" points back at is asked about too
        # ("it" is mostly NMS itself: "managing NMS once you suspect it").
        pointing = {
            n for n, w in zip(reading.clauses, reading.words, strict=True) if w in DEMONSTRATIVES and n in focus
        }
        focus |= {max(c for c in topical if c < n) for n in pointing if any(c < n for c in topical)}
        weights = {}
        for s, setting in reading.content.items():
            setting = setting or s in placed
            w = self.idf[s] * (SETTING_SHARE if setting else 1) if s in self.idf else unknown
            weights[s] = w * (FOCUS if reading.clause[s] in focus else 1)
        return weights

    def _placed(self, reading: Reading) -> set[str]:
        """Where the patient is (synonyms.yaml `settings`: "the ward", "ITU") is the setting of a
        question that asks about what only another topic holds ("what cooling should the ward be
        doing while we wait for ITU?") or about treatment in general ("how do we treat NMS on the
        ward?"); asked alone ("does he need the ICU?"), it is the question."""
        places = self.places & reading.content.keys()
        holders = {t for s in places for t, ds in self.distinct.items() if s in ds}
        asked = {s for s, setting in reading.content.items() if not setting} - places - self.subject_stems
        if places and any(ds & asked for t, ds in self.distinct.items() if t not in holders):
            return places
        if places and asked & self.generic and not asked - self.generic:
            return places  # "how do we treat NMS on the ward": treatment in general, there
        return set()

    def _verdict(
        self,
        ranked: tuple[tuple[str, float], ...],
        reading: Reading,
        weights: dict[str, float],
        together: tuple[str, ...],
    ) -> tuple[str, str] | None:
        """(topic to answer with, first action it tied with or ""), or None to suggest."""
        best_id, best = ranked[0]
        lead = best - (ranked[1][1] if len(ranked) > 1 else 0.0)
        if together:
            return together[0], ""
        if best >= answer_min(reading) and lead >= MARGIN:
            return best_id, ""
        # Without NMS named, a dose of the drug to stop asks about its own use ("max haldol dose for
        # agitation in the ED", "invega loading dose schedule?"), not about what the first action
        # leads; stopping, continuing or restarting it ("drop the dose or d/c it?") is that.
        if not reading.subject and reading.dose and not reading.concepts.intersection(ACTIONS):
            return None
        first = {self.first_actions[c] for c in reading.concepts if c in self.first_actions}
        tied = [t for t, s in ranked if best - s < MARGIN]
        others = [t for t in tied if t not in first]
        if best >= TIE_MIN and first & set(tied):
            action = sorted(first & set(tied))[0]
            # The other topic when the question asks something only it holds ("haldol for the
            # agitation?"); the first action itself when it asks nothing of the others ("up the
            # haldol?"); suggestions when it asks about several.
            named = {s for s in weights if s not in self.subject_stems}
            asked = [t for t in others if self.distinct[t] & named]
            if len(asked) == 1:
                return asked[0], action
            if not asked:
                return action, action
        if best >= CARRIED_MIN and first and best_id not in first:
            action = sorted(first)[0]
            rest = max((s for t, s in ranked if t not in (best_id, action)), default=0.0)
            if self._covered((best_id, action), weights) >= answer_min(reading) and best - rest >= MARGIN:
                return best_id, action
        return None

    def _only_everyday(self, reading: Reading, weights: dict[str, float]) -> bool:
        """Whether the words no topic holds, if any, are everyday English ("what does nms mgmt
        involve"), else they may be the question; the word list is read only for such a word."""
        unknown = {s for s in weights if s not in self.idf}
        return not unknown or unknown <= {stem(w) for w in reading.words if w in english_words()}

    def _asked(self, concept: str, reading: Reading) -> bool:
        """Whether a concept the question names is asked about, not only the scene."""
        return any(not reading.content.get(s, True) for s in self.reader.situations.stems_of(concept))

    def _by_rule(self, reading: Reading, weights: dict[str, float]) -> tuple[str, str] | None:
        """(topic, rule) when a safety.yaml rule answers an NMS question whatever the scores. How
        often a lab is checked (a route `asked_with` dose words) needs no NMS named: in this bot it
        is NMS monitoring, while another condition named puts the question out of scope first."""
        if reading.scope:
            return None
        # A dose word counts only as one ("lovenox 40 daily" is no "CK daily?"); "now" as context.
        said = {*reading.dose, *(c for c in reading.context if c not in self.dose_terms)}
        for route in self.routes:
            if not set(route.when) <= reading.concepts:
                continue  # (most routes: the question names none of their concepts)
            asked_with = not route.asked_with or set(route.asked_with) & said
            # Every route asks about one of its concepts at least ("35M s/p IM haldol in ED for
            # agitation, ... anything im missing?" asks nothing about the agitation), and how often a
            # lab is checked about the lab, not its value given as the scene ("heparin 5000 sq q8h
            # ok w/ nms, CK 30k?": the q8h is the heparin's).
            asked = [self._asked(c, reading) for c in route.when]
            if not any(asked) or (route.asked_with and not all(asked)):
                continue
            # How often a lab is checked is NMS monitoring here; the other routes need NMS named.
            named = reading.subject or set(route.asked_with) & set(reading.dose)
            if named and not set(route.unless) & reading.concepts and asked_with:
                return route.topic, "route: " + " + ".join(route.when)
        if not reading.subject:
            return None
        # "T 41.5, rigid, unresponsive, think nms. what now??": a next step asked of an NMS case
        # that names no part of the treatment (only settings, if anything) gets the first actions.
        # One finding with its value alone ("CK 31k in NMS, what do I do") is what is asked about.
        # Treatment in general ("checklist for managing nms") names no part of it.
        topical = [s for s in weights if s in self.idf and s not in self.subject_stems | self.generic]
        alone = len(topical) == 1 and topical[0] in reading.valued and len(reading.signs) < 2
        asked = alone or any(not reading.content[s] for s in topical)
        if reading.asks_next and self.next_topic and not asked:
            return self.next_topic, "next"
        # "NMS" and nothing else (no word unknown, no finding) is asked as "how is NMS treated".
        if self.next_topic and weights.keys() <= self.subject_stems and not reading.signs:
            return self.next_topic, SUBJECT
        # "what is the overall management of NMS in the ICU": its treatment in general, wherever the
        # patient is (supportive care holds "care" and the ICU, but only the overview all of it).
        # A drug named beside it other than the one to stop asks about others of its kind ("rx
        # options beyond benzos").
        general = self.generic & {s for s in weights if not reading.content[s]}
        drugs = {c for c in reading.concepts if self.reader.is_drug(c)} - self.first_actions.keys()
        if self.next_topic and general and not asked and not drugs and self._only_everyday(reading, weights):
            return self.next_topic, GENERAL
        return None

    def match(self, question: str) -> Match:
        """Match one question as typed (Slack markup allowed)."""
        reading = self.reader.read(question)
        if reading.scope and reading.scope[0] not in DECLINED_UNLESS_NAMED:
            return Match("none", reason="out_of_scope", scope=reading.scope, reading=reading)
        if not reading.content or reading.greeting:
            reason = "out_of_scope" if reading.scope else "greeting" if reading.greeting else "no_match"
            return Match("none", reason=reason, scope=reading.scope, reading=reading)
        placed = self._placed(reading)
        weights = self.weigh(reading, placed)
        total = sum(weights.values())
        scores: dict[str, float] = defaultdict(float)
        for t, w in weights.items():
            for topic_id, strength in self.index.get(t, {}).items():
                scores[topic_id] += w * strength / total
        for topic_id in scores:
            if not self.distinct[topic_id] & weights.keys():
                scores[topic_id] *= DISTINCT_SHARE
        ranked = tuple(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
        best = ranked[0][1] if ranked else 0.0
        verdict = Match("none", score=best, scope=reading.scope, reading=reading, weights=weights, ranked=ranked)
        # Naming NMS alone says nothing about which part of its treatment is asked about; nor does a
        # next step asked after what was done, without NMS named ("stopped the olanzapine and started
        # fluids - anything else?"), when every topic word is the scene (named, the next-step rule
        # answers it).
        topical = [s for s in weights if s in self.idf and s not in self.subject_stems]
        scene = reading.asks_next and not reading.subject and all(reading.content[s] for s in topical)
        scene = scene and not reading.valued & set(topical)  # "CPK 12k -> 31k, on NS. what now": the CK is asked
        about_something = bool(topical) and not scene
        if ruled := self._by_rule(reading, weights):
            topic_id, rule = ruled
            score = (
                max(dict(ranked).get(topic_id, 0.0), best)
                if rule in ("next", SUBJECT, GENERAL)
                else dict(ranked).get(topic_id, best)
            )
            return replace(verdict, status="answer", topic_id=topic_id, score=score, rule=rule)
        together = self._asked_together(ranked, reading, weights) if best >= answer_min(reading) else ()
        if reading.scope:
            # Another purpose of the bot's drugs: never answered, but the closest topics are
            # offered in case the clinician meant NMS after all.
            reason = "out_of_scope"
        elif about_something and not together and (parts := self._parts_covered(ranked, reading, weights, placed)):
            (topic_id, *joined), covered = parts
            return replace(verdict, status="answer", topic_id=topic_id, score=covered, joined=tuple(joined), rule=PARTS)
        elif about_something and (answer := self._verdict(ranked, reading, weights, together)):
            joined = together[1:] if together[:1] == (answer[0],) else ()
            return replace(
                verdict,
                status="answer",
                topic_id=answer[0],
                score=dict(ranked)[answer[0]],
                tie_with=answer[1],
                joined=joined,
            )
        else:
            reason = "subject_only" if reading.subject and not about_something else "no_match"
        # Beside another condition or purpose, a topic is offered only for something of its own
        # ("cooling" for "cooling for cardiac arrest"), not for the generic "treatment of".
        own = weights.keys() - self.generic
        offered = [(t, s) for t, s in ranked if not reading.scope or self.distinct[t] & own]
        if reason == "subject_only":
            # "nms" alone: the overview and the first action, the source's primary focus, come first;
            # the question scores nothing, since it asks about no part of the treatment.
            first = [t for t in (self.next_topic, *self.first_actions.values()) if t]
            offered = sorted(offered, key=lambda ts: first.index(ts[0]) if ts[0] in first else len(first))
            verdict = replace(verdict, score=0.0)
        suggestions = tuple((tid, s) for tid, s in offered[:MAX_SUGGESTIONS] if s >= SUGGEST_MIN)
        return replace(verdict, status="suggest" if suggestions else "none", suggestions=suggestions, reason=reason)
