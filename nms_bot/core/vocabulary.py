"""Read the matching vocabulary an editor keeps: synonyms, drug classes, context, scope and safety
rules, and the abbreviations spelled out for readers who ask for it."""

from __future__ import annotations

import re

from .checks import SourceFile, did_you_mean, items, kind
from .drugs import known_generics, names_of
from .model import CarryRule, RouteRule, Safety, Scope, StatementPair
from .yamlfile import Mapping, Sequence

SCOPE_CATEGORIES = ("conditions", "admin")
ABBREVIATION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,11}$")
EXPANSION_LIMIT = 80


def read_synonyms(f: SourceFile) -> tuple[dict[str, tuple[str, ...]], list[str], dict[str, tuple[str, ...]]]:
    """`synonyms` (canonical -> variants), `filler`, and `members` (canonical -> drugs the source does
    not name); every variant or member belongs to one canonical only."""
    m = f.mapping(f.data, 1, "synonyms.yaml") if f.ok else None
    if m is None:
        return {}, [], {}
    f.fields(m, ("synonyms",), ("filler", "members", "settings"))
    owner: dict[str, str] = {}
    synonyms = _groups(f, f.section(m, "synonyms"), owner)
    table = f.section(m, "members")
    members = _groups(f, table, owner)
    for canonical in members:
        if canonical not in synonyms and table is not None:
            hint = did_you_mean(canonical, synonyms)
            f.error(
                table.lines.get(canonical, table.line),
                f"members of '{canonical}': '{canonical}' is not a key of 'synonyms'{hint}",
            )
    return synonyms, [w.lower() for w in f.texts(m, "filler")], members


def read_settings(f: SourceFile, synonyms: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """synonyms.yaml `settings`: the keys of `synonyms` that say where the question stands.
    (A file that is no mapping at all has been reported by `read_synonyms`.)"""
    m = f.data if f.ok and isinstance(f.data, Mapping) else None
    if m is None or "settings" not in m:
        return frozenset()
    kept = set()
    for concept in f.texts(m, "settings"):
        if concept.lower() in synonyms:
            kept.add(concept.lower())
        else:
            f.error(
                m.lines["settings"],
                f"settings: '{concept}' is not a key of 'synonyms'{did_you_mean(concept, synonyms)}",
            )
    return frozenset(kept)


def _groups(f: SourceFile, table: Mapping | None, owner: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """canonical -> its lower-case variants, each variant owned by one canonical."""
    groups: dict[str, tuple[str, ...]] = {}
    if table is None:
        return groups
    for canonical, variants in table.items():
        line = table.lines[canonical]
        listed = f.texts(table, canonical)
        if not listed and isinstance(variants, Sequence) and not variants:
            f.error(line, f"'{canonical}' lists nothing")
        kept = []
        for variant in listed:
            v = variant.lower()
            if v in owner and owner[v] != canonical:
                f.error(line, f"'{variant}' is listed under both '{owner[v]}' and '{canonical}'")
                continue
            if v in kept:
                f.warn(line, f"'{variant}' is listed twice under '{canonical}': keep one")
                continue
            owner[v] = canonical
            kept.append(v)
        groups[canonical.lower()] = tuple(kept)
    return groups


def read_context(f: SourceFile) -> dict[str, tuple[str, ...]]:
    """Kind (vitals, findings, people...) -> neutral terms."""
    m = f.mapping(f.data, 1, "context.yaml") if f.ok else None
    if m is None:
        return {}
    return {str(k): tuple(t.lower() for t in f.texts(m, k)) for k in m}


def read_scope(f: SourceFile) -> Scope:
    m = f.mapping(f.data, 1, "scope.yaml") if f.ok else None
    if m is None:
        return Scope()
    f.fields(m, ("greetings", "subject", "out_of_scope"), ("signs", "not_covered", "purposes", "other_conditions"))
    greetings = tuple(g.lower() for g in f.texts(m, "greetings"))
    subject = tuple(s.lower() for s in f.texts(m, "subject"))
    categories = _terms(f, f.section(m, "out_of_scope"), SCOPE_CATEGORIES)
    named = {name: _terms(f, f.section(m, name)) for name in ("signs", "not_covered", "purposes")}
    others = tuple(t.lower() for t in f.texts(m, "other_conditions"))
    return Scope(greetings, subject, named["signs"], categories, named["not_covered"], named["purposes"], others)


def _terms(f: SourceFile, table: Mapping | None, known: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """name -> its lower-case terms; with `known`, only those names (others are reported)."""
    if table is None:
        return {}
    if known:
        f.fields(table, (), known)
    return {str(k): tuple(t.lower() for t in f.texts(table, k)) for k in table if not known or k in known}


def read_safety(f: SourceFile) -> tuple[Safety, list[int]]:
    """The rules, and the line of each carry rule (for the cross-checks)."""
    m = f.mapping(f.data, 1, "safety.yaml") if f.ok else None
    if m is None:
        return Safety(), []
    f.fields(m, ("carry", "dose", "statement_pairs"), ("next", "route"))
    carry, carry_lines = [], []
    for item, line in _list(f, m, "carry"):
        rule = f.mapping(item, line, "a carry rule")
        if rule is None or not f.fields(rule, ("when", "topic"), ("already_in", "note")):
            continue
        concept, topic = f.text(rule, "when"), f.text(rule, "topic")
        note = f.text(rule, "note", 300) if "note" in rule else ""
        if concept and topic:
            carry.append(CarryRule(concept.lower(), topic, tuple(f.texts(rule, "already_in")), note or ""))
            carry_lines.append(rule.line)
    dose = f.section(m, "dose")
    terms: list[str] = []
    note = ""
    first_action_note = ""
    if dose is not None and f.fields(dose, ("when", "note"), ("note_with_first_action",)):
        terms = [t.lower() for t in f.texts(dose, "when")]
        note = f.text(dose, "note", 300) or ""
        if "note_with_first_action" in dose:
            first_action_note = f.text(dose, "note_with_first_action", 300) or ""
    routes = []
    for item, line in _list(f, m, "route"):
        rule = f.mapping(item, line, "a route rule")
        if rule is None or not f.fields(rule, ("when", "topic"), ("unless", "asked_with")):
            continue
        when, topic = [t.lower() for t in f.texts(rule, "when")], f.text(rule, "topic")
        unless, asked_with = (tuple(t.lower() for t in f.texts(rule, k)) for k in ("unless", "asked_with"))
        if when and topic:
            routes.append(RouteRule(tuple(when), unless, topic, rule.line, asked_with))
    nxt = f.section(m, "next")
    next_terms: list[str] = []
    next_topic = ""
    if nxt is not None and f.fields(nxt, ("when", "topic")):
        next_terms = [t.lower() for t in f.texts(nxt, "when")]
        next_topic = f.text(nxt, "topic") or ""
    pairs = []
    for item, line in _list(f, m, "statement_pairs"):
        rule = f.mapping(item, line, "a statement pair")
        if rule is None or not f.fields(rule, ("if", "needs", "why")):
            continue
        if_text, needs, why = f.text(rule, "if"), f.text(rule, "needs"), f.text(rule, "why")
        if if_text and needs and why:
            pairs.append(StatementPair(if_text.lower(), needs.lower(), why))
    safety = Safety(
        carry=tuple(carry),
        dose_terms=tuple(terms),
        dose_note=note,
        dose_note_first_action=first_action_note,
        pairs=tuple(pairs),
        next_terms=tuple(next_terms),
        next_topic=next_topic,
        next_line=nxt.line if nxt is not None else 0,
        routes=tuple(routes),
    )
    return safety, carry_lines


def _list(f: SourceFile, m: Mapping, name: str) -> list[tuple[object, int]]:
    if name not in m:
        return []
    if not isinstance(m[name], Sequence):
        f.error(m.lines[name], f"'{name}' must be a list, found {kind(m[name])}")
        return []
    return items(m[name])


def read_drug_classes(
    f: SourceFile, synonyms: dict[str, tuple[str, ...]], members: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, str]]:
    """Add drug_classes.yaml's generics, with every name the compiled dictionary has for them, to
    `members` (a class the source names) or `synonyms` (the drug the source names itself), and
    return name -> (generic, what the note says is shown) for each added member."""
    m = f.mapping(f.data, 1, "drug_classes.yaml") if f.ok else None
    if m is None:
        return {}
    owner = {v: c for groups in (synonyms, members) for c, vs in groups.items() for v in (c, *vs)}
    notes: dict[str, tuple[str, str]] = {}
    generics_known = known_generics()
    for cls in m:
        line = m.lines[cls]
        if cls not in synonyms:
            f.error(line, f"'{cls}' is not a key of synonyms.yaml{did_you_mean(str(cls), synonyms)}")
            continue
        if not isinstance(m[cls], Sequence):
            f.error(line, f"'{cls}' must be a list of groups (atc, label, generics), found {kind(m[cls])}")
            continue
        for item, item_line in items(m[cls]):
            group = f.mapping(item, item_line, "a group of drugs")
            if group is None or not f.fields(group, ("atc", "label", "generics")):
                continue
            label = f.text(group, "label") or cls
            generics = [g.lower() for g in f.texts(group, "generics")]
            for g in generics:
                if g in owner and owner[g] != cls:
                    f.error(group.lines["generics"], f"'{g}' is listed under both '{owner[g]}' and '{cls}'")
                elif g not in generics_known:
                    f.warn(
                        group.lines["generics"],
                        f"'{g}' is not in the drug dictionary (tools/compile_drugs.py): check the spelling, "
                        "or list it in synonyms.yaml `members`, where names need not be in the dictionary",
                    )
            names = {g: g for g in generics} | names_of(set(generics))
            added = [n for n in names if owner.setdefault(n, cls) == cls and n != cls]
            if generics == [cls]:  # the drug the source names: its brands are that drug
                synonyms[cls] = tuple(dict.fromkeys((*synonyms[cls], *added)))
            else:
                # Names synonyms.yaml lists by hand under the class ("versed": not in the dictionary)
                # are named like the dictionary's, as themselves.
                hand = [n for n in members.get(cls, ()) if n not in notes]
                members[cls] = tuple(dict.fromkeys((*members.get(cls, ()), *added)))
                notes.update({n: (n, label) for n in hand} | {n: (names[n], label) for n in added})
    return notes


def read_abbreviations(f: SourceFile) -> dict[str, str]:
    """Abbreviation (as the topics write it) -> what it stands for (abbreviations.yaml)."""
    m = f.mapping(f.data, 1, "abbreviations.yaml") if f.ok else None
    if m is None:
        return {}
    table: dict[str, str] = {}
    for abbreviation in m:
        line = m.lines[abbreviation]
        if not ABBREVIATION_RE.match(abbreviation) or abbreviation.islower():
            f.error(
                line,
                f"'{abbreviation[:40]}' is not an abbreviation: write it as the topics do, "
                "letters and digits with at least one capital (ECT, CK, IV)",
            )
            continue
        expansion = f.text(m, abbreviation, EXPANSION_LIMIT)
        if expansion is None:
            continue
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(abbreviation)}(?![A-Za-z0-9])", expansion):
            f.error(line, f"'{abbreviation}' stands for {kind(expansion)}, which uses '{abbreviation}' itself")
            continue
        table[abbreviation] = expansion
    return table
