"""Read a typed question the way an editor can follow: what each word was taken to mean.

Words are stemmed and typos corrected against the knowledge base's own vocabulary. Then, longest
phrase first, each is read as a synonym (mapped to the word the topics use), a drug the source
does not name (mapped to its class), clinical context (vitals, labs, people: neutral), a dose
word (neutral, but the answer says the source gives no doses), filler, a number, or content:
known to the topics or unknown. Scope is read on the corrected words before any mapping: another
condition, an NMS question the source does not cover, an admin request, or another purpose of
the bot's drugs (declined unless the question names NMS; the rest of the question is still read,
so the closest topics can be offered).
"""

from __future__ import annotations

from .drugs import is_drug_name, other_drug
from .lexicon import Entry, Phrases
from .lookalikes import CAUSES, COURSE
from .model import Knowledge
from .outofscope import OutOfScope
from .privacy import redact
from .readout import Reading
from .refractory import NEGATIONS
from .scene import ARTICLES, BETWEEN, POINTERS, SETTING_WORDS, Scene
from .scopes import ScopeTables
from .situations import ACTIONS, CHOICE, DRUG, Situations
from .spelling import Speller
from .spoken import spelt_out
from .text import QUESTION_OPENERS, clause_words, normalise, stem, stems
from .vitals import read_vitals

# "clinic nurse", "the nurses are asking": a person, typed so (unlike "vigilant nursing", a care)
CARERS = frozenset(("nurse", "nurses", "rn", "rns"))
FEVER_SIGN = "fever"  # the scope.yaml sign a temperature is
# "which drug do we stop first": after what is done to a drug, "first" orders that action; alone
# ("what do we do first") it asks for the first steps.
FIRST = stem("first")
GENERIC = "treatment"  # the synonyms.yaml concept of treatment in general
# "dantrolene is the antidote", "bromo as a drug": what the drug named before is, not another drug
APPOSITION = frozenset(("is", "as"))
STOPPED = frozenset(("stop", "stopping", "stopped", "remove", "removing", "pull", "discontinue"))  # as typed
ELEVATED = "elevated"  # and of a finding raised ("CK through the roof")
TIME = "time"  # the context.yaml kind of times ("3 days of dantrolene")
HEDGES = "hedges"  # the context.yaml kind of words that soften a question ("usually", "maybe")
SOFTENERS = frozenset(stem(w) for w in ("actually", "really", "exactly", "just", "even", "then", "honestly"))


def _single_words(terms: tuple[str, ...] | list[str]) -> set[str]:
    """The stems of the one-word terms among `terms`."""
    return {s[0] for s in map(stems, terms) if len(s) == 1}


class Reader(Scene, OutOfScope):
    """Built once per knowledge base; `read` is safe to call from many threads."""

    def __init__(self, knowledge: Knowledge):
        self.filler = {stem(w) for w in knowledge.filler}
        self.hedges = _single_words(knowledge.context.get(HEDGES, ()))
        self.greeting_words = {s for g in knowledge.scope.greetings for s in stems(g)}
        self._lexicon(knowledge)
        self.scopes = ScopeTables(knowledge, self.hedges)
        grammar = SETTING_WORDS | ARTICLES | {stem(w) for w in (*POINTERS, *QUESTION_OPENERS)}
        self.speller = Speller(knowledge, self.filler, self._meaning, grammar)
        self.known_stems = self.speller.known_stems
        self.topic_stems = {
            s for t in knowledge.topics.values() for text in (t.title, *t.keywords, *t.questions) for s in stems(text)
        } | {s for key in self.lexicon.table for s in key}
        self.situations = Situations(
            self.lexicon,
            self.member_class,
            self.first_action_concepts,
            knowledge.safety.routes,
            {*knowledge.scope.subject, GENERIC},
            self.known_stems,
        )

    def _lexicon(self, knowledge: Knowledge) -> None:
        """Every phrase the vocabulary gives a meaning: synonyms, unnamed drugs, context, dose words."""
        self.lexicon: Phrases[Entry] = Phrases()
        for canonical, variants in knowledge.synonyms.items():
            target = tuple(stems(canonical))
            for phrase in (canonical, *variants):
                self.lexicon.add(tuple(stems(phrase)), Entry("synonym", target, canonical))
        for canonical, drugs in knowledge.members.items():
            target = tuple(stems(canonical))
            for drug in drugs:
                self.lexicon.add(tuple(stems(drug)), Entry("member", target, drug))
        self.drug_notes = knowledge.drug_notes
        self.member_class = {drug: canonical for canonical, drugs in knowledge.members.items() for drug in drugs}
        self.classes = set(knowledge.members)
        self.course = COURSE in knowledge.scope.not_covered  # the prognosis rule needs its label
        self.causes = CAUSES in knowledge.scope.not_covered
        self.dose_words = _single_words(knowledge.safety.dose_terms)
        self.between = BETWEEN | _single_words(knowledge.context.get(TIME, ()))  # "after 3 days of dantrolene"
        self.first_action_concepts = {rule.concept for rule in knowledge.safety.carry}
        # the vocabulary entry of the drug the first action stops, when there is one
        first = [self.lexicon.table.get(tuple(stems(c))) for c in sorted(self.first_action_concepts)]
        self.stopped = first[0] if len(first) == 1 else None
        for terms in knowledge.context.values():
            for term in terms:
                self.lexicon.add(tuple(stems(term)), Entry("context", label=term))
        for term in knowledge.safety.dose_terms:
            self.lexicon.add(tuple(stems(term)), Entry("dose", label=term))
        for term in knowledge.safety.next_terms:
            self.lexicon.add(tuple(stems(term)), Entry("ask", label=term))

    def content_stems(self, text: str) -> list[str]:
        """The stems of an editor's phrase that count for a topic: mapped, without filler or context."""
        out: list[str] = []
        tokens = stems(text)
        last = 0
        for start, end, entry in self.lexicon.scan(tokens):
            out.extend(tokens[last:start])
            if entry.kind in ("synonym", "member"):
                out.extend(entry.target)
            last = end
        out.extend(tokens[last:])
        return [t for t in out if t not in self.filler and not t[0].isdigit()]

    def _meaning(self, s: str) -> tuple[str, ...]:
        """What one stem stands for: its synonym's or drug class's stems, or itself."""
        entry = self.lexicon.table.get((s,))
        return entry.target if entry is not None and entry.target else (s,)

    def read(self, question: str) -> Reading:
        """Read one question as typed (Slack markup allowed)."""
        r = Reading()
        # "MRN 1234567" or a date says nothing about the topic; left in, it would dilute the match.
        # Single letters say nothing ("T 40", "45F"), unless they are a unit ("2 L").
        text = normalise(redact(question, blank=True))
        text, fever_value = read_vitals(text)
        numbered, r.asking, r.marked = clause_words(text)
        numbered, r.corrections = spelt_out(numbered, self._abbreviation)
        numbered, joined = self.speller.joined(numbered)
        r.corrections += joined
        numbered = [(n, w) for n, w in numbered if len(w) > 1 or w.isdigit() or (w,) in self.lexicon.table]
        r.words = [w for _, w in numbered]
        r.clauses = [n for n, _ in numbered]
        tokens = []
        for w in r.words:
            corrected = self.speller.correct(w)
            if corrected != stem(w):
                r.corrections.append((w, corrected))
            tokens.append(corrected)
            # "lithium" is in the vocabulary (scope's "lithium toxicity") yet a drug the topics never name.
            if corrected not in self.topic_stems and (generic := other_drug(w)):
                r.other_drugs.append(w if generic == w else f"{w} ({generic})")
        sign_spans = self.scopes.signs_met(tokens)
        found_signs = {sign for _, _, sign in sign_spans}
        if fever_value and FEVER_SIGN in self.scopes.sign_names:
            found_signs.add(FEVER_SIGN)  # "T 41.2": single letters are dropped, so read the value here
        r.signs = sorted(found_signs)
        r.subject = bool(self.scopes.subject.scan(tokens)) or len(r.signs) >= 2
        found = self.lexicon.scan(tokens)
        drugs_start = {a for a, _, entry in found if entry.label != DRUG and self.names_drug(entry)}
        set_aside = self._out_of_scope(r, tokens, found)
        if set_aside is None:
            return r
        # "keep him on olanzapine": an "on" inside a phrase does not make what follows a setting.
        claimed = {i for start, end, _ in found for i in range(start, end)}
        given: list[tuple[str, str, bool]] = []  # (class, generic, a setting?) of each drug named
        last = 0
        ordered = {end for _, end, entry in found if self.member_class.get(entry.label, entry.label) in ACTIONS}
        # "fluids first?": whether that measure comes first (in a clause offering no choice)
        offered = {r.clauses[i] for i, t in enumerate(tokens) if t in CHOICE}
        ordered |= {
            end for a, end, entry in found if entry.kind in ("synonym", "member") and r.clauses[a] not in offered
        }
        drug_before = -1  # where the last drug or class named ends
        drug_clauses: dict[str, set[int]] = {}  # each drug or class named -> the clauses naming it
        for start, end, entry in found:
            self._plain(r, tokens, last, start, claimed, ordered)
            typed = " ".join(r.words[start:end])
            if entry.label == DRUG and self.stopped and self._after(r.words, start, STOPPED) and not drug_clauses:
                entry = self.stopped  # "stop the drug", none named: the drug to stop (the source's first action)
            setting = self._is_scene(r, tokens, start, end, claimed)
            if entry.label == ELEVATED and self._unknown_at(tokens, end, claimed):
                # "high aspiration risk": how high something the topics do not hold is
                r.filler.append(typed)
            elif entry.label == DRUG and (
                start == drug_before
                or end in drugs_start
                or self._unknown_at(tokens, start - 1, claimed)
                or (
                    self._after(r.words, start, APPOSITION)
                    and any(r.clauses[start] in c for c in drug_clauses.values())
                )
            ):
                # "dopaminergic medications", "antipsychotic meds": the word names the class's kind;
                # "induction drugs", "which anesthesia meds": a kind the topics do not hold;
                # "dantrolene is the antidote": what the drug named is; "which drug acting directly on
                # skeletal muscle": the drug named next
                r.filler.append(typed)
            elif (
                entry.label in ACTIONS
                and start > 0
                and r.words[start - 1] in NEGATIONS
                and not self._drug_in_clause(r, found, start)
            ):
                r.filler.append(typed)  # "bleep won't stop": what goes on, not a treatment stopped
            elif entry.kind == "context":
                r.context.append(entry.label)
            elif entry.kind == "dose":
                r.dose.append(entry.label)
            elif entry.kind == "ask":
                r.asks_next.append(entry.label)
            else:
                canonical = self.member_class.get(entry.label, entry.label)
                if entry.kind == "member":
                    r.members.append((entry.label, canonical))
                    given.append((canonical, self.drug_notes.get(entry.label, (entry.label,))[0], setting))
                elif typed != entry.label:
                    r.mapped.append((typed, entry.label))
                r.concepts.add(canonical)
                if self.is_drug(canonical):
                    drug_before = end
                    drug_clauses.setdefault(canonical, set()).add(r.clauses[start])
                for s in entry.target:
                    if s not in self.filler:
                        r.add(s, setting, r.clauses[start])
                        if end < len(tokens) and tokens[end][0].isdigit():
                            r.valued.add(s)
            last = end
        self._plain(r, tokens, last, len(tokens), claimed, ordered)
        # "what do i *actually* do": the next step asked past a softening word (scanned again only then)
        plain = [t for t in tokens if t not in SOFTENERS and t not in self.hedges]
        if not r.asks_next and len(plain) < len(tokens):
            r.asks_next = [e.label for _, _, e in self.lexicon.scan(plain) if e.kind == "ask"]
        for label, parts in self.scopes.compound_purposes:
            if all(set(p) <= set(r.content) for p in parts):
                if r.subject:
                    r.also.append(label)
                elif not r.scope:
                    r.scope = ("purposes", label)
        self._told_as_scene(r, tokens, found, sign_spans)
        if self._declined_after_all(r, tokens, found, set_aside, drug_clauses):
            return r
        self.situations.apply(r, tokens, given)
        r.greeting = any(t in self.greeting_words for t in tokens) and all(t in self.greeting_words for t in r.content)
        # "what do we do first, cooling or fluids?": "first" picks among the measures named (of two
        # drugs, "dantrolene or bromocriptine first" asks which comes first, the medications topic's)
        asked = [s for s, setting in r.content.items() if not setting and s in self.topic_stems and s != FIRST]
        drugs = given or any(is_drug_name(c) for c in r.concepts)
        if FIRST in r.content and CHOICE & set(tokens) and len(asked) >= 2 and not drugs:
            del r.content[FIRST]
        return r

    def _drug_in_clause(self, r: Reading, found: list[tuple[int, int, Entry]], at: int) -> bool:
        """Whether the clause of words[at] names a drug or drug class the source names."""
        return any(r.clauses[a] == r.clauses[at] and self.names_drug(e) for a, _, e in found)

    @staticmethod
    def _after(words: list[str], i: int, before: frozenset[str]) -> bool:
        """Whether words[i] follows one of `before`, past an article ("is the", "stop the")."""
        j = i - 1 if words[i - 1 : i] not in (["the"], ["an"], ["this"]) else i - 2
        return j >= 0 and words[j] in before

    def _abbreviation(self, letters: str) -> bool:
        """Whether letters said one by one spell a word of the vocabulary ("n m s")."""
        return ((letters,) in self.lexicon.table or letters in self.topic_stems) and letters not in self.filler

    def names_drug(self, entry: Entry) -> bool:
        """Whether a vocabulary entry names a drug or class the source names (a member, by its class)."""
        return self.is_drug(self.member_class.get(entry.label, entry.label))

    def is_drug(self, concept: str) -> bool:
        """Whether a concept met is a drug or drug class the source names."""
        return concept in self.classes or is_drug_name(concept)

    def _plain(self, r: Reading, tokens: list[str], start: int, end: int, claimed: set[int], ordered: set[int]) -> None:
        """Words no phrase claimed: filler, numbers, or content (`ordered`: where an action ends)."""
        for i in range(start, end):
            t = tokens[i]
            if t[0].isdigit():
                continue
            if r.words[i] in CARERS:
                r.context.append(r.words[i])
                continue
            if t in self.filler or (t == FIRST and i in ordered):
                r.filler.append(r.words[i])
                continue
            setting = self._is_scene(r, tokens, i, i + 1, claimed)
            r.add(t, setting, r.clauses[i])
            if i + 1 < len(tokens) and tokens[i + 1][0].isdigit():
                r.valued.add(t)
