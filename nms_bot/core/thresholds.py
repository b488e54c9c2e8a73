"""The matcher's thresholds and weights, and what broke on each side when each was swept.

Kept apart from the scoring (matcher.py) so that a change to one number is a change to this file,
with its reason beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .readout import Reading

# Thresholds and weights were swept one at a time on the dev, field and own question sets
# (all must keep zero wrong answers), watching two question sets written blind from the source
# for generality. What broke on each side:
# - ANSWER_MIN (question does not name NMS), 0.40-0.80: at 0.55 and below, out-of-scope
#   questions sharing one strong word get answers ("cooling blanket for post-op fever", "stop
#   lithium?"); from 0.70 up, dev and own answers fall back to suggestions. 0.65 is in between.
# - ANSWER_MIN_NAMED (names NMS, or two of its signs), 0.30-0.50: no out-of-scope question that
#   names NMS scored above 0.30; from 0.50 up, blind-set answers fall to suggestions.
# - MARGIN, 0.05-0.15: 0.05 let one wrong answer through (two topics a few points apart), 0.15
#   turned right answers into suggestions on every set. 0.10 is also Rasa's default gap.
# - TIE_MIN, 0.30-0.50 changed nothing; without the first-action tie rule, a quarter of the
#   "can we give haloperidol..." questions were only suggestions.
ANSWER_MIN = 0.65
ANSWER_MIN_NAMED = 0.4
MARGIN = 0.10
# When the first action a safety.yaml rule carries (stop the antipsychotic) ties with other
# topics, the one the question names something of its own from is answered: the answer leads with
# the first action, so it holds both. When it names nothing of theirs, the first action is.
TIE_MIN = 0.45
# A topic the carried first action leads ("haldol for the agitation?": benzodiazepines) is
# answered when it scores this, the two together cover what an answer needs and the rest trail.
# Swept 0.45-0.6: at 0.45 "zyprexa IM 10 for agitation in ED" (no NMS) got an answer; at 0.6
# "droperidol for the agitation instead?" fell back to suggestions.
CARRIED_MIN = 0.5
SUGGEST_MIN = 0.3  # "did you mean" only for topics covering at least 30% of the question's weight
MAX_SUGGESTIONS = 3
# A question of several parts ("ativan for the agitation and bromo for the rigidity?") is answered
# with two or three topics when each holds, in its own title or keywords, at least PART_MIN of the
# question's weight that the others do not, and together they cover PARTS_MIN (PARTS_MIN_NAMED
# once it names NMS) with MARGIN over any other topic. Swept: PART_MIN 0.1-0.35 (from 0.25 up,
# blind multi-part questions fell back to suggestions; nothing broke down to 0.1); PARTS_MIN
# 0.65-0.9 (up to 0.7, "meth intox, T 40 - cooling and benzos?" and "alprazolam withdrawal taper"
# were answered; at 0.9 blind answers fell to suggestions); PARTS_MIN_NAMED 0.3-0.7 (0.6 and up
# cost blind answers; nothing broke down to 0.3).
PART_MIN = 0.15
PARTS_MIN = 0.8
PARTS_MIN_NAMED = 0.5
MAX_JOINED = 2  # one answer shows at most three topics: more is a question to split

# A topic none of whose own words (in no other topic's title or keywords) the question holds
# keeps this share of its score: it breaks ties on shared words like "antipsychotic". Swept
# 0.5-1.0: 0.8 and below cost dev and own answers; 0.9 added field answers.
DISTINCT_SHARE = 0.9
# An unknown word weighs this share of the rarest known word's weight; far less once NMS is
# named, when unknown words are mostly how the question was put. Named, 0.3 and up turned
# field and blind answers into suggestions; UNKNOWN_SHARE 0.4-1.0 changed nothing. Unknown words
# that are everyday English weighing less (0.5 and 0.2 of it, NMS not named) measured 43 and 74
# more right across the sets but 25 and 55 more wrong: "restless legs", "warfarin reversal", "book
# an ITU bed" are what puts those questions elsewhere.
UNKNOWN_SHARE = 0.7
UNKNOWN_SHARE_NAMED = 0.1
# A setting ("CK 12k", "on haldol", "in the ICU") weighs this share; 0.75 and up gave a blind
# question a wrong answer.
SETTING_SHARE = 0.25
# In a message of several clauses the question usually comes last, after its context
# ("52M on haldol, T 40.1, CK 18k. anyone using dantrolene?"): the last clause that names
# something a topic holds weighs this much more. 3 and up answered "CK 18k in an nms pt, how do
# we manage that" with the overview, taking "how do we manage" for the question.
FOCUS = 2.0


def answer_min(reading: Reading) -> float:
    """The score an answer needs: lower once the question names NMS."""
    return ANSWER_MIN_NAMED if reading.subject else ANSWER_MIN
