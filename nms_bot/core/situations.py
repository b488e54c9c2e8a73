"""What the words of a question say together, read after each word's meaning: what was done
before the question, a switch within a drug class or between treatments, stopping a treatment, two
names of one drug, a dose and what it is for; a case resisting treatment is core/refractory.py's."""

from __future__ import annotations

from .drugs import is_drug_name
from .lexicon import Entry, Phrases
from .model import RouteRule
from .readout import Reading
from .refractory import DONE, ORGANS, Refractory
from .text import stems

COMPARE = "compare"  # the synonyms.yaml concept of a comparison
STOP = "stop"  # the synonyms.yaml concept of stopping a drug
CONTINUE = "continue"  # and of going on with one
AFTER_RECOVERY = "after recovery"  # and of the time after NMS
RESTART = "restart"  # and of starting one again
ACTIONS = (STOP, CONTINUE, RESTART)  # the concepts of what is done to a drug
UP = "up"
HOW_OFTEN = "how often"  # the safety.yaml dose term of a frequency
AGAIN = "again"
DRUG = "drug"  # the synonyms.yaml concept of medications in general
SUMMARY = "summary"  # the synonyms.yaml concept of an overview
SUPPORTIVE = "supportive"  # and of supportive care
GENERAL = "treatment"  # and of treatment in general
CHOICE = frozenset(("or", "vs", "versus"))  # as typed
MORTALITY = "mortality"  # and of death
COMPLICATIONS = "complications"  # and of what NMS leads to ("aspiration risk - keep NBM?": no treatment kept)
# synonyms.yaml concepts that describe the patient, where they are or an outcome, not a treatment
DESCRIBING = frozenset(
    {MORTALITY, "nms", "outcomes", "severe", "hyperthermia", "ck", "elevated", "renal", "renal failure", "failure"}
    | {"respiratory", "rhabdomyolysis", "dehydration", "vital signs", "function", "after recovery", "ward", "icu"}
)
# "we stopped both. now what": a clause that says, in the past, what was done tells the case, not
# the question, when a later clause asks. Words as typed ("stopped" is "stop" once stemmed).
# "3L LR in", "ativan 2mg given": a clause ending so tells what is running ("leave the blanket on"
# and "keep it going" may ask)
RUNNING = frozenset(("in", "running", "hung", "given"))


def done_clauses(r: Reading) -> set[int]:
    """The clauses that tell, in the past, what was done ("we stopped both. now what"), when a
    later clause asks; the list goes on after the verb ("stopped haldol, cooling, IVF, still
    worse") up to a clause that asks or says how the patient is ("still")."""
    done = {n for n, w in zip(r.clauses, r.words, strict=True) if w in DONE and n not in r.asking}
    for n in sorted(set(r.clauses)):
        said = [w for c, w in zip(r.clauses, r.words, strict=True) if c == n]
        if n in r.asking:
            continue
        if said[-1] in RUNNING or (n - 1 in done and "still" not in said and not any(w[0].isdigit() for w in said)):
            done.add(n)
    rest = set(r.clauses) - done
    return done if done and rest and max(rest) > min(done) else set()


class Situations(Refractory):
    """Built by the Reader from its tables; `apply` adjusts one Reading."""

    def __init__(
        self,
        lexicon: Phrases[Entry],
        member_class: dict[str, str],
        first_action_concepts: set[str],
        routes: tuple[RouteRule, ...],
        unspecific: set[str],
        known: set[str],
    ):
        """`unspecific`: the concepts that name no treatment (NMS, treatment in general)."""
        self.lexicon, self.member_class = lexicon, member_class
        self.classes = set(member_class.values())
        self._stems_of: dict[str, tuple[str, ...]] = {}
        self.first_action_concepts, self.routes = first_action_concepts, routes
        # what safety.yaml routes to monitoring by how often it is checked (CK, renal function)
        self.checked = {c for route in routes if HOW_OFTEN in route.asked_with for c in route.when}
        self.unspecific_concepts = unspecific
        self.unspecific = {s for c in unspecific for s in self.stems_of(c) or stems(c)}
        self.actions = {s for c in ACTIONS for s in self.stems_of(c)}
        self.known = known

    def stems_of(self, concept: str) -> tuple[str, ...]:
        """The stems a synonyms.yaml concept is counted by, or () if the vocabulary lacks it."""
        if (known := self._stems_of.get(concept)) is not None:
            return known
        entry = self.lexicon.table.get(tuple(stems(concept)))
        self._stems_of[concept] = found = entry.target if entry is not None else ()
        return found  # (the concepts are the vocabulary's: a bounded set, asked on every question)

    def _drop(self, r: Reading, concept: str) -> None:
        """The question does not ask about `concept` after all: neither it nor its stems count."""
        r.concepts.discard(concept)
        for s in self.stems_of(concept):
            r.content.pop(s, None)

    def _ask(self, r: Reading, concept: str, clause: int) -> None:
        """The question asks about `concept`, in `clause`, whatever words say it."""
        r.concepts.add(concept)
        for s in self.stems_of(concept):
            r.add(s, False, clause)

    def apply(self, r: Reading, tokens: list[str], given: list[tuple[str, str, bool]]) -> None:
        """`given`: (class, generic, a setting?) of each drug the question names."""
        self._switching(r, given)
        self._switching_treatments(r)
        self._going_up(r)
        self._stopping_a_treatment(r)
        self._summary_of_something(r)
        self._continuing_nothing_named(r)
        self._given_again(r, given)
        self._failed_treatment(r, tokens, given)
        self._no_response(r, tokens)
        self._refractory_case(r, tokens)
        self._refractory_finding(r)
        self._same_thing_compared(r)
        self._dose_for_this_patient(r)
        self._drugs_or_support(r)

    def _switching(self, r: Reading, given: list[tuple[str, str, bool]]) -> None:
        """ "on haldol, psych wants abilify now - ok?": another drug of the class the patient is on
        is a switch, which is a restart of that class (the source's "a different class"). A switch
        a safety.yaml route answers ("seroquel instead, for the agitation") is left to the route."""
        restart = self.stems_of(RESTART)
        routed = any(set(route.when) <= r.concepts and not route.asked_with for route in self.routes)
        if not restart or {RESTART, STOP} & r.concepts or routed:
            return
        for cls in self.first_action_concepts:
            on = {g for c, g, setting in given if c == cls and setting}
            asked = {g for c, g, setting in given if c == cls and not setting}
            if on and asked - on:
                self._ask(r, RESTART, max(r.clause.get(t, 0) for t in r.content))

    def _switching_treatments(self, r: Reading) -> None:
        """ "bromocriptine made him vomit, can we switch to dantrolene": a switch between drugs
        that treat NMS, with no antipsychotic named, asks about them, not about restarting one."""
        if RESTART not in r.concepts or r.concepts & self.first_action_concepts:
            return
        if any(is_drug_name(c) for c in r.concepts):
            self._drop(r, RESTART)

    def _going_up(self, r: Reading) -> None:
        """ "no change, go up?": a question that only says "up" asks to go up on what was named
        before it (not "CK going up?", which names what goes up)."""
        if CONTINUE in r.concepts or not r.words or r.words[-1] != UP or r.clauses[-1] not in r.asking:
            return
        if not any(c == r.clauses[-1] for c in r.clause.values()):
            self._ask(r, CONTINUE, r.clauses[-1])

    def _stopping_a_treatment(self, r: Reading) -> None:
        """ "when to stop dantrolene", "keep pouring in IVF?": stopping or continuing a treatment
        other than the antipsychotic asks how long to give it (the source gives no duration), not
        about the first action, which is stopping the antipsychotic."""
        # ("which drug do we stop first": a drug in general is the one to stop)
        treatments = (
            r.concepts - {STOP, CONTINUE, AFTER_RECOVERY, DRUG, SUMMARY, COMPLICATIONS} - self.unspecific_concepts
        )
        if not treatments or self._first_action_asked(r):
            return
        if treatments <= self.checked:
            # "when can we stop daily cks": stopping a lab's checks is how often it is checked
            for concept in {STOP, CONTINUE} & r.concepts:
                self._drop(r, concept)
                r.dose.append(HOW_OFTEN)
            return
        for concept in (STOP, CONTINUE):
            if concept not in r.concepts:
                continue
            clause = max((r.clause[s] for s in self.stems_of(concept) if s in r.clause), default=-1)
            self._drop(r, concept)
            if concept == CONTINUE and clause in r.asking:
                # "started bromocriptine yesterday, no change, bump up?": going on with (or up on)
                # a drug named only as what was given asks about that drug
                for s in {s for c in treatments if is_drug_name(c) for s in self.stems_of(c)} & r.content.keys():
                    r.content[s], r.clause[s] = False, clause
            r.dose.append(f"{concept} (how long to give it)")
            # "continue bromocriptine after nms resolves": when is the setting, not a restart.
            if AFTER_RECOVERY in r.concepts:
                r.content.update({s: True for s in self.stems_of(AFTER_RECOVERY) if s in r.content})

    def _first_action_asked(self, r: Reading) -> bool:
        """Whether the question names the drug to stop other than as its scene or after what it
        asks, in a clause that asks nothing ("benztropine - keep giving it? he was on it with his
        depot")."""
        first = r.concepts & self.first_action_concepts
        if not first:
            return False
        acted = max((r.clause[s] for c in (STOP, CONTINUE) for s in self.stems_of(c) if s in r.clause), default=-1)
        stems = [s for c in first for s in self.stems_of(c) if s in r.clause]
        if stems and all(r.content[s] for s in stems) and STOP not in r.concepts:
            return False  # "nms after zyprexa - ativan not cutting it, go up?": only the scene
        return not stems or any(r.clause[s] <= acted or r.clause[s] in r.asking for s in stems)

    def _summary_of_something(self, r: Reading) -> None:
        """ "pharmacologic tx of nms overview?", "rundown on dantrolene": a summary of one part of
        the treatment is about that part, not the overview of all of it."""
        if SUMMARY in r.concepts and r.concepts - {SUMMARY} - self.unspecific_concepts - DESCRIBING:
            self._drop(r, SUMMARY)

    def _continuing_nothing_named(self, r: Reading) -> None:
        """ "aspiration risk in NMS pt with dysphagia - keep NBM?": going on with something no
        treatment names (nil by mouth, the bed rest) is no question about continuing a drug."""
        if CONTINUE in r.concepts and r.concepts - {CONTINUE, COMPLICATIONS} <= self.unspecific_concepts:
            self._drop(r, CONTINUE)

    def _given_again(self, r: Reading, given: list[tuple[str, str, bool]]) -> None:
        """ "is it safe to ever give this guy haldol again": the drug to stop, given again, is a
        restart."""
        named = r.concepts | {cls for cls, _, _ in given}
        if AGAIN in r.words and not {RESTART, STOP} & r.concepts and named & self.first_action_concepts:
            self._ask(r, RESTART, r.clauses[r.words.index(AGAIN)])

    def _drugs_or_support(self, r: Reading) -> None:
        """ "is nms mgmt mostly a drug thing or mostly just supportive": drugs in general set against
        supportive care, and nothing else asked, asks what the treatment mainly is (the overview)."""
        if not {DRUG, SUPPORTIVE} <= r.concepts or not CHOICE & set(r.words):
            return
        if any(is_drug_name(c) or c in self.classes for c in r.concepts):
            return
        weighed = {s for c in (DRUG, SUPPORTIVE) for s in self.stems_of(c)} | self.unspecific
        if any(not setting and s in self.known and s not in weighed for s, setting in r.content.items()):
            return  # "adjunctive drugs vs supportive care": what else is asked decides
        clause = min(r.clause[s] for s in weighed if s in r.clause)
        self._drop(r, DRUG)
        self._drop(r, SUPPORTIVE)
        self._ask(r, GENERAL, clause)

    def _dose_for_this_patient(self, r: Reading) -> None:
        """ "enoxaparin dose in nms with AKI, eGFR 25": the dose of a drug asked for is the question;
        what the patient has (an organ failing) is what the dose is for, the scene."""
        if not r.dose:
            return
        drugs = {c for c in r.concepts if is_drug_name(c) or c in self.classes}
        if not any(not r.content.get(s, True) for c in drugs for s in self.stems_of(c)):
            return
        for concept in r.concepts & ORGANS:
            for s in self.stems_of(concept):
                if s in r.content:
                    r.content[s] = True

    def _same_thing_compared(self, r: Reading) -> None:
        """ "ryanodex vs revonto", "bair hugger vs ice packs, which is better": two names of one drug,
        or two ways of one treatment, compared is a question about that treatment, not a comparison
        of treatments (the evidence topic's)."""
        named = [c for typed, c in (*r.mapped, *r.members) if is_drug_name(c) or typed in self.member_class]
        one_drug = len(named) >= 2 and len(set(named)) == 1
        compared = set(self.stems_of(COMPARE))
        asked = {s for s, setting in r.content.items() if not setting and s in self.known}
        if COMPARE in r.concepts and (one_drug or len(asked - compared - self.unspecific) == 1):
            for s in self.stems_of(COMPARE):
                r.content.pop(s, None)
