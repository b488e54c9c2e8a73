"""Match a typed question to a topic: answer, suggest ("did you mean"), or decline.

Scoring is lexical and explainable. Each question word becomes a stem, typos are corrected
against the knowledge base's own vocabulary, synonyms and abbreviations map to the words the
topics use, and filler words are dropped. A topic's score is the share of the question's
information it covers: each remaining stem weighs by how rare it is across topics (IDF), and
counts fully when the topic's title or keywords hold it, partly when only its questions or
its body do. Words the knowledge base has never seen weigh too, so "alcohol withdrawal
benzodiazepines" covers only a third of its meaning and is not answered. Questions naming
another condition or an admin request are declined before any scoring.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .model import Knowledge
from .privacy import redact
from .text import normalise, stem, stems, words

# Thresholds, chosen by sweeping ANSWER_MIN over 0.40-0.75 and MARGIN over 0.00-0.20 on the
# development set plus tests/data/questions.yaml (296 in-scope, 109 out-of-scope questions):
# below ANSWER_MIN 0.62 out-of-scope questions start to get answers; above 0.65 in-scope
# questions start to fall back to suggestions. MARGIN 0 let one wrong answer through, 0.05 to
# 0.12 changed nothing, 0.15 and more turned right answers into suggestions. 0.65 and 0.10
# (Rasa's default gap too) sit inside that safe plateau. SUGGEST_MIN offers "did you mean"
# only for topics covering at least 30% of the question's weight (Rasa's and Dialogflow's
# fallback level). Re-run the sweep, or at least `nms-bot eval`, after changing the scoring.
ANSWER_MIN = 0.65
MARGIN = 0.10
SUGGEST_MIN = 0.3
MAX_SUGGESTIONS = 3

# How much a topic's field vouches for a stem. Title and keywords say what the topic is about;
# questions say it partly (more when many of them use the stem); the body only mentions it.
STRONG = 1.0
QUESTION_BASE, QUESTION_SHARE = 0.55, 0.35
BODY = 0.35
# An unknown word weighs this share of the rarest known word's weight.
UNKNOWN_SHARE = 0.7
MIN_FUZZY_LEN = 4


@dataclass(frozen=True)
class Match:
    """The matcher's verdict. `reason` explains a decline: greeting, out_of_scope, no_match."""

    status: str  # "answer" | "suggest" | "none"
    topic_id: str | None = None
    score: float = 0.0
    suggestions: tuple[tuple[str, float], ...] = ()
    reason: str = ""
    scope: tuple[str, str] | None = None  # (category, term) that put the question out of scope


@dataclass
class _Phrases:
    """Phrase lookup on stem tuples, longest first."""

    table: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    longest: int = 1

    def add(self, phrase: tuple[str, ...], value: tuple[str, ...]) -> None:
        if phrase:
            self.table.setdefault(phrase, value)
            self.longest = max(self.longest, len(phrase))

    def scan(self, tokens: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, value) of each longest match, left to right."""
        found, i = [], 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                value = self.table.get(tuple(tokens[i : i + n]))
                if value is not None:
                    found.append((i, i + n, value))
                    i += n
                    break
            else:
                i += 1
        return found

    def replace(self, tokens: list[str]) -> list[str]:
        out, last = [], 0
        for start, end, value in self.scan(tokens):
            out.extend(tokens[last:start])
            out.extend(value)
            last = end
        out.extend(tokens[last:])
        return out


def _idf(n: int, df: int) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1)


class Matcher:
    """Built once per knowledge base (read-only afterwards, safe to share between threads)."""

    def __init__(self, knowledge: Knowledge):
        self.synonyms = _Phrases()
        for canonical, variants in knowledge.synonyms.items():
            target = tuple(stems(canonical))
            # The canonical phrase maps to itself, so "physical therapy" is not half-replaced
            # by the shorter synonym "therapy" -> "treatment".
            for phrase in (canonical, *variants):
                self.synonyms.add(tuple(stems(phrase)), target)
        self.filler = {stem(w) for w in knowledge.filler}
        self.greeting_words = {s for g in knowledge.scope.greetings for s in stems(g)}
        self.scope = _Phrases()
        for category, terms in knowledge.scope.out_of_scope.items():
            for term in terms:
                self.scope.add(tuple(stems(term)), (category, term))

        # stem -> {topic id: strength}
        self.index: dict[str, dict[str, float]] = defaultdict(dict)
        for topic in knowledge.topics.values():
            strength: dict[str, float] = {}
            for text in topic.body:
                for s in self._content(stems(text.text)):
                    strength[s] = BODY
            question_sets = [set(self._content(stems(q))) for q in topic.questions]
            for s in set().union(*question_sets) if question_sets else ():
                share = sum(s in qs for qs in question_sets) / len(question_sets)
                strength[s] = max(strength.get(s, 0), QUESTION_BASE + QUESTION_SHARE * share)
            for text in (topic.title, *topic.keywords):
                for s in self._content(stems(text)):
                    strength[s] = STRONG
            for s, value in strength.items():
                self.index[s][topic.id] = value
        # BM25's IDF: a stem in (nearly) every topic, like "nms" or "treatment", weighs almost
        # nothing beside one that picks out a topic.
        n = max(len(knowledge.topics), 1)
        self.idf = {s: _idf(n, len(topics)) for s, topics in self.index.items()}
        self.unknown_weight = UNKNOWN_SHARE * _idf(n, 1)

        # Every surface word the knowledge base knows, for typo correction, by length. Filler
        # and greetings are known but never a correction target: "causes" must not become
        # "cases" (filler) and vanish; it must count as the unknown word it is.
        vocabulary: set[str] = set()
        for canonical, variants in knowledge.synonyms.items():
            for text in (canonical, *variants):
                vocabulary.update(words(text))
        for terms in knowledge.scope.out_of_scope.values():
            for t in terms:
                vocabulary.update(words(t))
        for topic in knowledge.topics.values():
            for text in (topic.title, *topic.keywords, *topic.questions, *(b.text for b in topic.body)):
                vocabulary.update(words(normalise(text)))
        plain = {w for g in knowledge.scope.greetings for w in words(g)} | set(knowledge.filler)
        self.known_stems = {stem(w) for w in vocabulary | plain}
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for w in sorted(vocabulary - plain):
            # Words under four letters are too easy to hit by accident ("long" -> "log").
            if len(w) >= MIN_FUZZY_LEN and stem(w) not in self.filler:
                self.by_length[len(w)].append(w)

    def _content(self, tokens: list[str]) -> list[str]:
        return [t for t in self.synonyms.replace(tokens) if t not in self.filler]

    def _correct(self, word: str) -> str:
        """The word's stem, or the stem of the closest known word when it is a typo."""
        s = stem(word)
        if s in self.known_stems or len(word) < MIN_FUZZY_LEN or word[0].isdigit():
            return s
        candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in self.by_length.get(n, ())]
        # One slip costs a short word more of its ratio than a long one: a dropped letter in
        # a 5-letter word still scores 89, a swapped one in a 4-letter word only 75.
        cutoff = 85 if len(word) == 4 else 80 if len(word) <= 6 else 84
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        return stem(best[0]) if best else s

    def match(self, question: str) -> Match:
        """Match one question as typed (Slack markup allowed)."""
        # "MRN 1234567" or a date says nothing about the topic; left in, it would dilute the match.
        tokens = [self._correct(w) for w in words(normalise(redact(question, blank=True)))]
        for _, _, (category, term) in self.scope.scan(tokens):
            return Match("none", reason="out_of_scope", scope=(category, term))
        # Numbers and amounts ("CK 20000", "temp 40.5", "2mg") tell topics nothing apart.
        content = [t for t in dict.fromkeys(self._content(tokens)) if not t[0].isdigit()]
        if not content or all(t in self.greeting_words for t in content):
            greeting = any(g in self.greeting_words for g in tokens)
            return Match("none", reason="greeting" if greeting else "no_match")

        weights = {t: self.idf.get(t, self.unknown_weight) for t in content}
        total = sum(weights.values())
        scores: dict[str, float] = defaultdict(float)
        for t, w in weights.items():
            for topic_id, strength in self.index.get(t, {}).items():
                scores[topic_id] += w * strength / total
        if not scores:
            return Match("none", reason="no_match")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best_id, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if best >= ANSWER_MIN and best - runner_up >= MARGIN:
            return Match("answer", best_id, best)
        suggestions = tuple((tid, s) for tid, s in ranked[:MAX_SUGGESTIONS] if s >= SUGGEST_MIN)
        if suggestions:
            return Match("suggest", None, best, suggestions)
        return Match("none", score=best, reason="no_match")
