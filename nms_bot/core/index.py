"""What each topic holds: for every stem, how strongly each topic vouches for it, which topic alone
names it in its title or keywords, and how rare it is across topics (BM25's IDF)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from .model import Knowledge
from .reading import Reader

# How much a topic's field vouches for a stem. Title and keywords say what the topic is about;
# questions say it partly (more when many of them use the stem); the body only mentions it.
STRONG = 1.0
QUESTION_BASE, QUESTION_SHARE = 0.55, 0.35
BODY = 0.35


@dataclass(frozen=True)
class TopicIndex:
    index: dict[str, dict[str, float]]  # stem -> {topic id: strength}
    distinct: dict[str, set[str]]  # topic id -> the stems only its title or keywords hold
    idf: dict[str, float]  # stem -> its weight across topics
    rarest: float  # the weight of a stem only one topic holds


def _idf(n: int, df: float) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1)


def index_topics(knowledge: Knowledge, reader: Reader) -> TopicIndex:
    """Index every topic's title, keywords, alternate questions and body, as `reader` reads them."""
    # Only words that name something clinical count for a topic: its own and other topics'
    # titles and keywords, and the vocabulary's terms. The body and the alternate questions
    # vouch for those words but add none of their own, so a verb that happens to stand in one
    # topic's text ("involve", "work") cannot pull a question there.
    clinical: set[str] = {
        s for t in knowledge.topics.values() for text in (t.title, *t.keywords) for s in reader.content_stems(text)
    }
    for term in (*knowledge.synonyms, *knowledge.members):
        clinical.update(reader.content_stems(term))
    index: dict[str, dict[str, float]] = defaultdict(dict)
    # A statement several topics repeat word for word (the overall trial result beside every
    # benefit claim) is there for safety, not because the topic is about it: it vouches for
    # nothing, or "mortality" would pull evidence questions to every drug's topic.
    seen = Counter(b.text for t in knowledge.topics.values() for b in t.body)
    for topic in knowledge.topics.values():
        strength: dict[str, float] = {}
        for bullet in (b for b in topic.body if seen[b.text] == 1):
            for s in reader.content_stems(bullet.text):
                if s in clinical:
                    strength[s] = BODY
        question_sets = [set(reader.content_stems(q)) & clinical for q in topic.questions]
        for s in set().union(*question_sets) if question_sets else ():
            share = sum(s in qs for qs in question_sets) / len(question_sets)
            strength[s] = max(strength.get(s, 0), QUESTION_BASE + QUESTION_SHARE * share)
        for text in (topic.title, *topic.keywords):
            for s in reader.content_stems(text):
                strength[s] = STRONG
        for s, value in strength.items():
            index[s][topic.id] = value
    # What only one topic's title or keywords hold tells that topic apart from the others.
    distinct: dict[str, set[str]] = defaultdict(set)
    for s, topics in index.items():
        owners = [tid for tid, value in topics.items() if value == STRONG]
        if len(owners) == 1:
            distinct[owners[0]].add(s)
    # BM25's IDF: a stem in (nearly) every topic, like "nms" or "treatment", weighs almost
    # nothing beside one that picks out a topic. A topic counts by how strongly it holds the
    # stem, so one that only mentions it in passing counts a third.
    n = max(len(knowledge.topics), 1)
    idf = {s: _idf(n, sum(topics.values())) for s, topics in index.items()}
    return TopicIndex(index, distinct, idf, _idf(n, 1))
