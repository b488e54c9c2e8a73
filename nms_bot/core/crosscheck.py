"""Checks across files: related ids, unused references, vocabulary conflicts, safety rules."""

from __future__ import annotations

import re

from .checks import SourceFile, did_you_mean, items
from .model import Reference, Safety, Scope, Topic
from .text import stems
from .yamlfile import Mapping

# A dose, volume or rate in a statement: "2.5 mg", "1-2.5 mg/kg", "500 ml", "2 L", "10 units".
AMOUNT = re.compile(
    r"\d+(?:[.,]\d+)?(?:\s*(?:-|to)\s*\d+(?:[.,]\d+)?)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|g|grams?"
    r"|ml|millilit(?:er|re)s?|l|lit(?:er|re)s?|units?|iu|mmol|meq)(?:/(?:kg|h|hr|hour|day|min))?\b"
)


def check_topics(
    topics: list[tuple[Topic, SourceFile]],
    ids: set[str],
    references: dict[str, Reference],
    ref_lines: dict[str, tuple[SourceFile, int]],
    unreadable_topics: bool,
    safety: Safety,
) -> None:
    """Related ids exist, every reference is cited, statement pairs hold within each topic."""
    used: set[str] = set()
    titles: dict[str, str] = {}
    for topic, f in topics:
        used.update(topic.citations)
        other = titles.setdefault(topic.title.lower(), topic.id)
        if other != topic.id:
            f.error(
                f.data.lines["title"],
                f"topic '{topic.id}' has the title of topic '{other}': buttons and lists "
                "would show two alike; give it its own",
            )
        for rid, line in items(f.data.get("related")):
            if rid == topic.id:
                f.error(line, f"topic '{topic.id}' lists itself as related")
            elif isinstance(rid, str) and rid not in ids and not unreadable_topics:
                f.error(line, f"unknown related topic '{rid}'{did_you_mean(rid, sorted(ids))}")
        texts = [b.text.lower() for b in topic.body]
        for text in texts:
            if amount := AMOUNT.search(text):
                f.error(
                    f.data.lines["body"],
                    f"topic '{topic.id}' gives an amount ('{amount.group(0)}'): the source "
                    "gives no doses, and answers say so (safety.yaml); remove it",
                )
        for pair in safety.pairs:
            if any(pair.if_text in t for t in texts) and not any(pair.needs in t for t in texts):
                f.error(
                    f.data.lines["body"],
                    f"topic '{topic.id}' says '{pair.if_text}' but no statement says "
                    f"'{pair.needs}' ({pair.why}; see safety.yaml)",
                )
    if not topics:
        return
    for key in references:
        if key not in used:
            f, line = ref_lines[key]
            f.error(line, f"reference '{key}' is not cited by any topic: cite it or remove it")


def check_vocabulary(
    files: dict[str, SourceFile],
    topics: list[tuple[Topic, SourceFile]],
    synonyms: dict[str, tuple[str, ...]],
    scope: Scope,
    safety: Safety,
    carry_lines: list[int],
) -> None:
    """Context words that would hide a topic word or a synonym; safety rules naming unknown things."""
    phrases = {tuple(stems(p)): canonical for canonical, variants in synonyms.items() for p in (canonical, *variants)}
    topic_words: dict[str, str] = {}
    for topic, _ in topics:
        for text in (topic.title, *topic.keywords):
            for s in stems(text):
                topic_words.setdefault(s, topic.id)
    concepts = set(synonyms) | {" ".join(stems(c)) for c in synonyms}
    context = files["context"]
    context_terms: set[str] = set()
    if context.ok and isinstance(context.data, Mapping):
        for kind_name in context.data:
            for term, line in items(context.data[kind_name]):
                if not isinstance(term, str):
                    continue
                context_terms.add(term.lower())
                key = tuple(stems(term))
                if key in phrases:
                    context.error(
                        line,
                        f"context word '{term}' is already a synonym of '{phrases[key]}' "
                        "in synonyms.yaml: keep it in one place",
                    )
                elif len(key) == 1 and key[0] in topic_words:
                    context.error(
                        line,
                        f"context word '{term}' is a word of topic '{topic_words[key[0]]}' "
                        "(title or keywords): as context it would stop counting for that topic",
                    )
    known = concepts | set(topic_words)
    scope_file = files["scope"]
    purposes = scope_file.data.get("purposes") if scope_file.ok and isinstance(scope_file.data, Mapping) else None
    for label in scope.purposes:
        for term, line in items(purposes.get(label) if isinstance(purposes, Mapping) else None):
            parts = [p.strip() for p in str(term).split("+")] if "+" in str(term) else []
            for part in parts:
                if part.lower() not in known and " ".join(stems(part)) not in known:
                    scope_file.error(
                        line,
                        f"'{part}' in '{term}' is neither a synonym nor a topic word: "
                        "each part of an 'a + b' purpose must be one",
                    )
    topic_ids = sorted(t.id for t, _ in topics)
    safety_file = files["safety"]
    if topics and safety.next_topic and safety.next_topic not in topic_ids:
        hint = did_you_mean(safety.next_topic, topic_ids)
        safety_file.error(safety.next_line, f"next: unknown topic '{safety.next_topic}'{hint}")
    for route in safety.routes:
        for concept in (*route.when, *route.unless):
            if concept not in synonyms:
                hint = did_you_mean(concept, sorted(synonyms))
                safety_file.error(route.line, f"route rule: '{concept}' is not a synonym in synonyms.yaml{hint}")
        for term in route.asked_with:
            if term not in safety.dose_terms and term not in context_terms:
                safety_file.error(
                    route.line,
                    f"route rule: '{term}' in asked_with is neither a dose word (safety.yaml dose) "
                    "nor a context word (context.yaml)",
                )
        if topics and route.topic not in topic_ids:
            hint = did_you_mean(route.topic, topic_ids)
            safety_file.error(route.line, f"route rule: unknown topic '{route.topic}'{hint}")
    for rule, line in zip(safety.carry, carry_lines, strict=True):
        if rule.concept not in synonyms:
            safety_file.error(
                line,
                f"carry rule: '{rule.concept}' is not a synonym in synonyms.yaml"
                f"{did_you_mean(rule.concept, sorted(synonyms))}",
            )
        for tid in (rule.topic, *rule.already_in):
            if topics and tid not in topic_ids:
                safety_file.error(line, f"carry rule: unknown topic '{tid}'{did_you_mean(tid, topic_ids)}")
