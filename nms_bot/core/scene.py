"""Which words of a question are its scene (the patient, what was given, where they are, who asks)
rather than what it asks about: "CK 12k on haldol in the ICU, dantrolene?" asks about dantrolene.
A part of Reader."""

from __future__ import annotations

from .lexicon import Entry, Phrases
from .readout import Reading
from .refractory import DONE, ON
from .situations import Situations, done_clauses
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
FOR, NMS = stem("for"), stem("nms")
CAUSED = frozenset(stem(w) for w in ("induced", "related", "associated", "triggered", "caused", "precipitated"))
ON_BOARD = (ON, stem("board"))
WHO = frozenset(("who", "that"))  # "a man who got haldol", "a pt that was given"
HISTORY = "s/p"  # "35M s/p IM haldol in ED for agitation": a clause telling it is what happened
# "CK 18k in an nms pt, how do we manage that": a pronoun in the asking clause points back at the
# scene set before it, which is then what is asked about, not where the question stands.
POINTERS = frozenset(("that", "it", "this", "those", "them"))
ONTO = frozenset(stem(w) for w in ("be", "put", "place"))  # "put him on", not "was on" or "started on"
ARTICLES = frozenset(stem(w) for w in ("the", "a", "an", "his", "her", "their", "our"))
# what may stand between a setting word and its setting ("after IM haldol")
BETWEEN = ARTICLES | {"of"} | {stem(w) for w in ("im", "iv", "po", "sc", "sq", "subq")}
COORDINATING = frozenset(("and", "or"))
# "CK that high", "temp so high": a degree word ties a finding to how high it is
DEGREE = frozenset(stem(w) for w in ("that", "this", "so", "very", "too"))
ABOUT = frozenset(stem(w) for w in ("view", "views", "thoughts", "opinion", "advice", "input", "comment", "take"))
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
    situations: Situations

    def _setting(self, tokens: list[str], clauses: list[int], start: int, end: int, claimed: set[int]) -> bool:
        """Whether tokens[start:end] is a finding with its value ("CK 12k", not "dantrolene 2 mg")
        or follows "in", "on", "at", "from" ("on haldol", "in the ICU")."""
        if end + 1 < len(tokens) and tokens[end] in CAUSED and tokens[end + 1] == NMS:
            return True  # "abilify induced nms": the drug that caused it, the case's history
        if end < len(tokens) and tokens[end] in PEOPLE | SERVICES:
            # "the seroquel lady", "the CK 18k guy", "the clozapine clinic": who the patient is or
            # who asks, not what is asked
            return True
        if end < len(tokens) and tokens[end][0].isdigit() and not self._drug_at(tokens, start, end):
            # "CK 12k", "lovenox 40 daily": a dose word after the number makes it a dose, even one
            # that is also context ("daily" is a route too); not one in the next clause ("Cr 2.8,
            # dose?"). A drug's number is its dose ("enox 40 ok?"), a setting only as the rest are.
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
        if tokens[i] == ON and i > 0 and tokens[i - 1] in ABOUT:
            return False  # "a view on dantrolene": what the view is about, asked
        if tokens[i] == ON and ONTO & set(tokens[max(0, i - 2) : i]):
            return False  # "ok to put pt on a cooling blanket?", "need to be on tele?": what is asked
        entry = self.lexicon.table.get((tokens[i],))  # "s/p" is context itself, and still marks history
        return i not in claimed or (entry is not None and entry.kind == "context")

    def _drug_at(self, tokens: list[str], start: int, end: int) -> bool:
        """Whether tokens[start:end] names a drug of the source's classes that it does not name itself."""
        entry = self.lexicon.table.get(tuple(tokens[start:end]))
        return entry is not None and entry.kind == "member"

    def _is_scene(self, r: Reading, tokens: list[str], start: int, end: int, claimed: set[int]) -> bool:
        """Whether tokens[start:end] is the question's scene: a setting, or how the patient came."""
        return self._setting(tokens, r.clauses, start, end, claimed) or self._encounter(r, tokens, start, end)

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

    def _told_as_scene(
        self, r: Reading, tokens: list[str], found: list[tuple[int, int, Entry]], sign_spans: list[tuple[int, int, str]]
    ) -> None:
        """What the clauses tell rather than ask: what was given ("on board", "s/p", a clause in
        the past), unless the question points back at it ("how do we manage that"), and the signs
        that together describe the syndrome."""
        # "dantrolene + bromo on board": what the clause names before it was given, its setting.
        for i in range(len(tokens) - 1):
            if (tokens[i], tokens[i + 1]) == ON_BOARD:
                r.content.update({s: True for s in r.content if r.clause[s] == r.clauses[i]})
        # "an adult who got haloperidol for agitation": who the patient is, what was done before
        for i, w in enumerate(r.words[:-1]):
            if w in WHO and r.words[i + 1] in DONE:
                told = [j for j in range(i + 1, len(tokens)) if r.clauses[j] == r.clauses[i]]
                stems_told = {tokens[j] for j in told} | {s for a, _, e in found if a in told for s in e.target}
                r.content.update({s: True for s in stems_told if s in r.content})
        # (not "s/p nms episode": that is the time after NMS, which the vocabulary reads itself)
        history = {
            r.clauses[i]
            for i, w in enumerate(r.words)
            if w == HISTORY and r.clauses[i] not in r.asking and r.words[i + 1 : i + 2] != ["nms"]
        }
        done = done_clauses(r) | history
        r.content.update({s: True for s in r.content if r.clause[s] in done})
        # ("anyone using dantrolene for this?" names what it asks: "this" is the case; "how do we
        # manage that" names only treatment in general, "go up or stop it" only what to do with it)
        vague = self.situations.unspecific | self.situations.actions
        own = {
            r.clause[s] for s, setting in r.content.items() if not setting and s in self.topic_stems and s not in vague
        }
        pointed = [
            n for n, w in zip(r.clauses, r.words, strict=True) if w in POINTERS and n in r.asking and n not in own
        ]
        if pointed:
            for s, setting in r.content.items():
                if setting and r.clause[s] < max(pointed):
                    r.content[s] = False
        if len(r.signs) >= 2:
            # "high fever, rigidity and altered mental status - how do you treat it": signs that
            # describe the syndrome together are the case, not what is asked about.
            # (a sign named again in the asking clause, after the scene, is asked about: "burning up,
            # rigid, had haldol. what do I do about the heat")
            told = [(a, b) for a, b, _ in sign_spans if r.clauses[a] not in r.asking] or [
                (a, b) for a, b, _ in sign_spans
            ]
            described = [i for a, b in told for i in range(a, b)]
            for i in described:
                for start, end, entry in found:
                    if start <= i < end and entry.target:
                        r.content.update({s: True for s in entry.target if r.clause.get(s) == r.clauses[i]})
                if r.clause.get(tokens[i]) == r.clauses[i]:
                    r.content[tokens[i]] = True
