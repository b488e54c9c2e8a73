"""Answers that show two or three topics: a question of several parts ("ativan for the agitation
and bromo for the rigidity?"), or one asking about several that tie, each named for something
only it holds ("dantrolene vs bromocriptine?"). The source answers each part. A part of Matcher."""

from __future__ import annotations

from .readout import Reading
from .thresholds import MARGIN, MAX_JOINED, PART_MIN, PARTS_MIN, PARTS_MIN_NAMED, answer_min

OUTCOMES = "outcomes"  # the synonyms.yaml concept of what a treatment does ("does it help")


class Joining:
    """Mixed into Matcher, which provides the index and the context words of a combination."""

    index: dict[str, dict[str, float]]  # stem -> {topic id: strength}
    distinct: dict[str, set[str]]
    idf: dict[str, float]
    subject_stems: set[str]
    combining: set[str]

    def _covered(self, topics: tuple[str, ...], weights: dict[str, float]) -> float:
        """The share of the question's weight one answer showing these topics holds."""
        held = sum(w * max(self.index.get(s, {}).get(t, 0.0) for t in topics) for s, w in weights.items())
        return held / sum(weights.values())

    def _asked_together(
        self, ranked: tuple[tuple[str, float], ...], reading: Reading, weights: dict[str, float]
    ) -> tuple[str, ...]:
        """The topics one answer shows, the first answering, when the question asks about several:
        they tie and it names something only each holds ("dantrolene vs bromocriptine?", "cooling
        + fluids, what's recommended for each"), or it asks about a combination ("dantrolene +
        bromo together?") of things only each holds. The source answers each part."""
        asked = {s for s in weights if not reading.content.get(s, True)}
        if set(reading.context) & self.combining:
            named = [t for t, _ in ranked[: 2 + MAX_JOINED] if self.distinct[t] & asked]
            if len(named) >= 2:
                return tuple(named[: 1 + MAX_JOINED])
        tied = [t for t, s in ranked if ranked[0][1] - s < MARGIN]
        if not 2 <= len(tied) <= 1 + MAX_JOINED:
            return ()
        # The best may hold nothing of its own when it holds what the others are named for
        # (evidence, for "dantrolene vs bromocriptine?").
        best, others = tied[0], tied[1:]
        named = [self.distinct[t] & asked for t in others]
        if all(named) and (self.distinct[best] & asked or all(best in self.index[s] for n in named for s in n)):
            return tuple(tied)
        return ()

    def _parts_covered(
        self, ranked: tuple[tuple[str, float], ...], reading: Reading, weights: dict[str, float], placed: set[str]
    ) -> tuple[tuple[str, ...], float] | None:
        """(topics, share of the question they cover) answering a question of several parts
        ("ativan for the agitation and bromo for the rigidity?", "what to monitor, and when do we
        call for ECT?"): each holds, in its own title or keywords, an asked part no other of them
        holds, and together they cover what one answer needs. Where the best would answer alone,
        the others join it only for a part its own text does not hold ("evidence for dantrolene vs
        supportive care" is the evidence topic's alone; "bromo for the rigidity" is not)."""
        lead = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0.0)
        alone = ranked[0][1] >= answer_min(reading) and lead >= MARGIN
        total = sum(weights.values())
        asked = {s for s in weights if not reading.content.get(s, True) and s in self.idf}
        asked -= self.subject_stems | placed
        chosen: dict[str, set[str]] = {}  # topic -> its own part
        owned: set[str] = set()
        for t, _ in ranked:
            own = (asked & self.distinct[t]) - owned
            if sum(weights[s] for s in own) / total >= PART_MIN:
                chosen[t] = own
                owned |= own
            if len(chosen) > MAX_JOINED:
                break
        if len(chosen) < 2:
            return None
        covered = self._covered(tuple(chosen), weights)
        rest = max((sc for t, sc in ranked if t not in chosen), default=0.0)
        # Two questions in one message ("what to monitor, and when do we call for ECT?"), each part
        # asked in a clause of its own, need what one question does.
        clauses = [c for own in chosen.values() for c in {reading.clause[s] for s in own}]
        separate = len(clauses) == len(set(clauses)) and set(clauses) <= reading.asking
        best = ranked[0][0]
        # ... unless the question asks whether a named treatment works ("do dopamine agonists help
        # in NMS?"): the evidence and the treatment's own topic answer it together.
        works = OUTCOMES in reading.concepts
        if (
            alone
            and not separate
            and not works
            and all(best in self.index[s] for t in chosen if t != best for s in chosen[t])
        ):
            return None
        need = answer_min(reading) if separate else PARTS_MIN_NAMED if reading.subject else PARTS_MIN
        if covered >= need and covered - rest >= MARGIN:
            return tuple(chosen), covered
        return None
