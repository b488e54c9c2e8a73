"""Typo correction against the words a knowledge base knows."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from .model import Knowledge
from .spoken import join_runs
from .text import OWN_STEMS, normalise, stem, words

MIN_FUZZY_LEN = 4
MIN_PREFIX_LEN = 4  # "enox" (enoxaparin); shorter clippings begin too many words
ENGLISH = Path(__file__).with_name("englishwords.txt")  # compiled by tools/compile_words.py


MIN_JOINED_LEN = 9  # dictation's runs are joined only into long words: short ones are hit by chance
JOINED_RATIO = 65  # "dance roll in" and "dantrolene" score 67, "k after we" and "cafeteria" 59
_SOUND_RULES = [
    (re.compile(a), b) for a, b in (("ph", "f"), ("[ck]+", "k"), ("q", "k"), ("z", "s"), ("(.)\\1+", "\\1"))
]


def sound(word: str) -> str:
    """What a word sounds like, roughly: its first letter and its consonants, spelling variants
    folded ("pharmaco" and "farm a co" both give "frmk"), doubled letters once."""
    for pattern, replacement in _SOUND_RULES:
        word = pattern.sub(replacement, word)
    return word[:1] + re.sub("[aeiouyhw]", "", word[1:])


def initial(word: str) -> str:
    """A word's first sound ("ph" and "f" alike, "c" and "k")."""
    return sound(word[:2])[:1]


@cache
def english_words() -> frozenset[str]:
    """Common English words (wordfreq): read on the first word the knowledge base does not know."""
    text = ENGLISH.read_text(encoding="utf-8")
    return frozenset(text.split("\n", 1)[1].split())  # after the header line


def vocabulary_words(knowledge: Knowledge) -> set[str]:
    """Every surface word the vocabulary and the topics use."""
    vocabulary: set[str] = set()
    for groups in (knowledge.synonyms, knowledge.members):
        for canonical, variants in groups.items():
            for text in (canonical, *variants):
                vocabulary.update(words(text))
    for terms in (
        *knowledge.scope.out_of_scope.values(),
        *knowledge.scope.not_covered.values(),
        *knowledge.scope.purposes.values(),
        *knowledge.scope.signs.values(),
        knowledge.scope.other_conditions,
        *knowledge.context.values(),
        knowledge.safety.dose_terms,
    ):
        for t in terms:
            vocabulary.update(words(t))
    for topic in knowledge.topics.values():
        for text in (topic.title, *topic.keywords, *topic.questions, *(b.text for b in topic.body)):
            vocabulary.update(words(normalise(text)))
    return vocabulary


class Speller:
    """Built once per knowledge base. Filler and greetings are known but never a correction
    target: "causes" must not become "cases" (filler) and vanish; it must count as the unknown
    word it is. `meaning` tells what a stem stands for, so a clipped word that begins several
    names of one thing ("dantro") still reads as that thing."""

    def __init__(
        self,
        knowledge: Knowledge,
        filler: set[str],
        meaning: Callable[[str], tuple[str, ...]],
        grammar: frozenset[str] = frozenset(),
    ):
        """`grammar`: stems the reader itself knows ("besides", "despite"), never corrected."""
        vocabulary = vocabulary_words(knowledge)
        plain = {w for g in knowledge.scope.greetings for w in words(g)} | set(knowledge.filler)
        self.known_stems = {stem(w) for w in vocabulary | plain} | grammar
        self.meaning = meaning
        # Words under four letters are too easy to hit by accident ("long" -> "log").
        self.targets = sorted(
            w for w in vocabulary - plain if len(w) >= MIN_FUZZY_LEN and stem(w) not in filler and not w[0].isdigit()
        )
        self.surface = frozenset(self.targets)
        self.by_start: dict[tuple[int, str], list[str]] = defaultdict(list)  # (length, first sound) -> words
        for w in self.targets:
            self.by_start[len(w), initial(w)].append(w)
        sounds: dict[str, set[str]] = defaultdict(set)
        for w in self.targets:
            if len(w) >= MIN_JOINED_LEN:
                sounds[sound(w)].add(w)
        # A sound two known words share says neither.
        self.sounds = {k: min(ws) for k, ws in sounds.items() if len({self.meaning(stem(w)) for w in ws}) == 1}

    def joined(self, numbered: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
        """Words dictation split apart ("dance roll in", "broma crypt teen") joined into the long
        known word they sound like ("dantrolene", "bromocriptine"): (clause, word) pairs with each
        such run replaced, and (typed run, word) for each. A run is two to four words of one
        clause, one of them unknown, that together sound (`sound`) like one known word of at least
        MIN_JOINED_LEN letters. Only a question holding an unknown word pays for the search."""
        if all(stem(w) in self.known_stems or w[0].isdigit() for _, w in numbered):
            return numbered, []
        return join_runs(numbered, self._pieces_of_a_word)

    def _pieces_of_a_word(self, words: list[str]) -> str | None:
        """The long known word a run of words sounds like: unknown pieces (two at least), and short
        known ones ("in", "a"), with no number among them."""
        if any(w[0].isdigit() for w in words):
            return None
        unknown = [w for w in words if stem(w) not in self.known_stems and len(w) > 1]
        if len(unknown) < 2 or any(stem(w) in self.known_stems and len(w) > 3 for w in words):
            return None
        return self._sounds_like("".join(words))

    def _sounds_like(self, typed: str) -> str | None:
        """The long known word `typed` sounds like (`_same_sound`), when spelt not too differently."""
        from rapidfuzz import fuzz  # only a question holding an unknown word gets here

        said = sound(typed)
        meant = self._same_sound(said)
        # "ck came down" sounds like "coumadine", yet is spelt too differently to be it
        return meant if meant and fuzz.ratio(typed, meant) >= JOINED_RATIO else None

    def _same_sound(self, said: str) -> str | None:
        """The known word of this sound, or, for a sound of six letters or more, of the one sound a
        letter off ("dnkrln", "dance roll in"; "dntrln", "dantrolene")."""
        if said in self.sounds or len(said) < 6:
            return self.sounds.get(said)
        from rapidfuzz.distance import Levenshtein

        near = [
            k
            for k in self.sounds
            if k[0] == said[0] and abs(len(k) - len(said)) <= 1 and Levenshtein.distance(k, said, score_cutoff=1) <= 1
        ]
        return self.sounds[near[0]] if len({self.sounds[k] for k in near}) == 1 else None

    def correct(self, word: str) -> str:
        """The word's stem, or the stem of the closest known word when it is a typo."""
        s = stem(word)
        # A word with a stem of its own ("settled") is a word, not a slip for the one it was kept from.
        if s in self.known_stems or len(word) < MIN_FUZZY_LEN or word[0].isdigit() or word in OWN_STEMS:
            return s
        # A common English word is that word, not a slip for a known one ("cover" is not "recov").
        if word in english_words():
            return s
        from rapidfuzz import fuzz, process  # only a word the knowledge base does not know needs it

        # A typo keeps its first sound (slips are within a word): "leptic" is not "septic", nor
        # "enox" "tenox"; "farmacologic" is "pharmacologic".
        first = initial(word)
        candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in self.by_start.get((n, first), ())]
        # One slip costs a short word more of its ratio than a long one: a dropped letter in
        # a 5-letter word still scores 89, a swapped one in a 4-letter word only 75.
        cutoff = 85 if len(word) == 4 else 80 if len(word) <= 6 else 84
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best:
            return stem(best[0])
        # Two letters swapped ("stpo") cost a short word too much of its ratio.
        for i in range(len(word) - 1):
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped in self.surface:
                return stem(swapped)
        # A clipped word ("dantro", "anticoag") stands for the one thing the known words it begins
        # mean ("dantrolene", "dantrolenum" and "dantrolene sodium" are one drug).
        if len(word) >= MIN_PREFIX_LEN:
            start = bisect_left(self.targets, word)
            begun = {stem(w) for w in self.targets[start : start + 50] if w.startswith(word)}
            if len({self.meaning(b) for b in begun}) == 1:
                return min(begun, key=len)
        return s
