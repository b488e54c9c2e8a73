"""Which words of a question are its scene (the patient, what was given, where they are, who asks)
rather than what it asks about: "CK 12k on haldol in the ICU, dantrolene?" asks about dantrolene.
A part of Reader."""

from __future__ import annotations

from .lexicon import Entry, Phrases
from .readout import Reading
from .text import stem

# "pt on haldol", "in the ICU", "despite cooling", "besides benzos", "CK 12k": what follows these,
# or is followed by a number, is usually the setting of the question rather than its subject.
SETTING_WORDS = frozenset(
    stem(w)
    for w in (
        *("in", "on", "at", "from", "after", "before", "despite", "besides", "beyond", "except", "excluding", "s/p"),
        *("though", "although"),  # "even though olanzapine stopped"
        *("until", "till", "til"),  # "keep the enoxaparin going until mobile": when it ends, not what is asked
    )
)
PEOPLE = frozenset(
    stem(w) for w in ("lady", "guy", "man", "woman", "gentleman", "girl", "boy", "fella", "chap", "dude")
)
# "an admission for NMS", "a transfer for possible NMS": how the patient came to the team
ENCOUNTERS = frozenset(stem(w) for w in ("admission", "admit", "transfer", "referral", "consult", "case"))
TOLD = frozenset(("admitted", "admitting", "transferred", "referred"))  # as typed: it has happened
SERVICES = frozenset(stem(w) for w in ("clinic", "team", "service"))
FOR, NMS, ON = stem("for"), stem("nms"), stem("on")
ONTO = frozenset(stem(w) for w in ("be", "put", "place"))  # "put him on", not "was on" or "started on"
ARTICLES = frozenset(stem(w) for w in ("the", "a", "an", "his", "her", "their", "our"))
# what may stand between a setting word and its setting ("after IM haldol")
BETWEEN = ARTICLES | {"of"} | {stem(w) for w in ("im", "iv", "po", "sc", "sq", "subq")}
COORDINATING = frozenset(("and", "or"))
# "CK that high", "temp so high": a degree word ties a finding to how high it is
DEGREE = frozenset(stem(w) for w in ("that", "this", "so", "very", "too"))
WITH = frozenset(("with", "w"))  # "w/" reads "w"
ALLOWING = frozenset(
    stem(w) for w in ("ok", "okay", "safe", "fine", "alright", "pt", "patient", "man", "woman", "lady", "guy")
)


class Scene:
    """Mixed into Reader, which provides the vocabulary."""

    lexicon: Phrases[Entry]
    between: set[str]
    dose_words: set[str]
    hedges: set[str]
    filler: set[str]
    topic_stems: set[str]

    def _setting(self, tokens: list[str], clauses: list[int], start: int, end: int, claimed: set[int]) -> bool:
        """Whether tokens[start:end] is a finding with its value ("CK 12k", not "dantrolene 2 mg")
        or follows "in", "on", "at", "from" ("on haldol", "in the ICU")."""
        if end < len(tokens) and tokens[end] in PEOPLE | SERVICES:
            # "the seroquel lady", "the CK 18k guy", "the clozapine clinic": who the patient is or
            # who asks, not what is asked
            return True
        if end < len(tokens) and tokens[end][0].isdigit():
            # "lovenox 40 daily": a dose word after the number makes it a dose, even one that is
            # also context ("daily" is a route too); not one in the next clause ("Cr 2.8, dose?")
            after = end + 1 < len(tokens) and clauses[end + 1] == clauses[end]
            return not after or tokens[end + 1] not in self.dose_words
        i = start - 1
        # "on the haldol", "s/p 2 doses geodon", "after 3 days of dantrolene": articles, amounts
        # and times stand between.
        while (
            i >= 0
            and clauses[i] == clauses[start]  # a setting word governs its own clause only
            and tokens[i] not in SETTING_WORDS
            and (tokens[i] in self.between or tokens[i][0].isdigit() or self._is_dose(tokens[i]))
        ):
            i -= 1
        if i >= 0 and clauses[i] != clauses[start]:
            return False
        if i > 1 and tokens[i - 1] in COORDINATING and self._unknown_at(tokens, i, claimed):
            i -= 1  # "CK 4k and stable obs": a word the topics lack describes the item listed
        if i > 0 and tokens[i] in COORDINATING:  # "despite bromo and dantrolene": both were given
            j = i - 1
            while j > 0 and tokens[j][0].isdigit():  # "CK 20k and AKI": the item before is "CK 20k"
                j -= 1
            return self._setting(tokens, clauses, j, j + 1, claimed)
        if i > 0 and tokens[i] in WITH and tokens[i - 1] in ALLOWING:  # "ok with an AKI?", "pt w/ AKI"
            return True
        if i > 0 and tokens[i] in DEGREE and i - 1 in claimed and self._setting(tokens, clauses, i - 1, i, claimed):
            return True  # "w/ CK that high": how high the setting's finding is, a setting too
        between = tokens[i + 1 : start] if i >= 0 else []
        chained = between and all(t in BETWEEN for t in between) and i in claimed
        if chained and self._setting(tokens, clauses, i, i + 1, claimed):
            return True  # "apart from stopping the drug": the object of a setting is one too
        if i < 0 or tokens[i] not in SETTING_WORDS:
            return False
        if tokens[i] == ON and ONTO & set(tokens[max(0, i - 2) : i]):
            return False  # "ok to put pt on a cooling blanket?", "need to be on tele?": what is asked
        entry = self.lexicon.table.get((tokens[i],))  # "s/p" is context itself, and still marks history
        return i not in claimed or (entry is not None and entry.kind == "context")

    def _unknown_at(self, tokens: list[str], i: int, claimed: set[int]) -> bool:
        """Whether tokens[i] is a word the topics do not hold, no phrase claimed, and no filler."""
        if not 0 <= i < len(tokens) or i in claimed:
            return False
        t = tokens[i]
        return not t[0].isdigit() and t not in self.filler and t not in self.topic_stems

    def _encounter(self, r: Reading, tokens: list[str], start: int, end: int) -> bool:
        """ "taking a transfer for possible NMS - main treatment?", "pt admitted w/ NMS": how the
        patient came, told as done, is the patient, not a transfer or admission asked about."""
        if r.words[start] in TOLD and r.words[start - 1 : start] != ["be"]:
            return True  # "pt admitted w/ NMS", "the admitting team" (not "should he be admitted")
        if tokens[start] in ENCOUNTERS and r.words[start - 1 : start] == ["new"]:
            return True  # "new admit to MICU with NMS": a patient
        if tokens[start] not in ENCOUNTERS or r.clauses[start] in r.asking or tokens[end : end + 1] != [FOR]:
            return False
        i = end + 1
        while i < len(tokens) and tokens[i] in self.hedges:
            i += 1
        return tokens[i : i + 1] == [NMS]

    def _is_dose(self, token: str) -> bool:
        entry = self.lexicon.table.get((token,))
        return entry is not None and entry.kind == "dose"
