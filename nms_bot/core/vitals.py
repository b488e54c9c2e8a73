"""Vital signs typed as values ("T 40.6", "sats 88%"): the value says what the words alone do not,
a fever or a patient short of oxygen, so it is read as that finding."""

from __future__ import annotations

import re

_FEVER = r"(?:3[89]|4[0-3]|10[0-9])(?:\.\d)?(?![0-9])"
# A temperature written "T 40.1" or "t 104": a fever, whatever words stand around it.
FEVER_VALUE = re.compile(rf"(?<![a-z0-9])t ?{_FEVER}")
FEVER_T = re.compile(rf"(?<![a-z0-9])t ?(?={_FEVER})")
# "sats 88%", "spo2 of 85": a saturation below 92% is hypoxia, which the topics hold ("sats 96" is
# only a vital sign, neutral context).
LOW_SATS = re.compile(
    r"(?<![a-z0-9])(?:o2 )?(?:sats?|spo2|sao2|saturations?|saturating|satting)(?: (?:of|at|is|was|now|only))?"
    r" ?(?=(?:[4-8][0-9]|9[01])(?![0-9.]))"
)
HYPOXIA = "hypoxia "  # a synonyms.yaml word of the respiratory concept, put where the vital was


def read_vitals(text: str) -> tuple[str, bool]:
    """`text` with a temperature's letter and a low saturation's words replaced by what they say,
    and whether a temperature was written as a value."""
    fever = bool(FEVER_VALUE.search(text))
    text = FEVER_T.sub("temp ", text)  # "T 40.6": the letter would be dropped with the other single ones
    return LOW_SATS.sub(HYPOXIA, text), fever
