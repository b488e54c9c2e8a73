"""`nms-bot ask --explain`: how a question was read and scored, for editors fixing a miss."""

from __future__ import annotations

from typing import Any

from .compose import Answer
from .lookalikes import WITHDRAWAL
from .matcher import GENERAL, PARTS, SUBJECT, Match, Matcher, answer_min
from .outofscope import DECLINED_UNLESS_NAMED
from .thresholds import MARGIN, PART_MIN, SUGGEST_MIN


def verdict_reason(match: Match) -> str:
    """Why the matcher answered, suggested or declined, in one sentence."""
    if match.reason == "out_of_scope" and match.scope:
        category, term = match.scope
        if category == WITHDRAWAL:
            return (
                f"declined: '{term}' names a drug before 'withdrawal': the syndrome of stopping it, another condition"
            )
        unless = " and the question does not name NMS" if category in DECLINED_UNLESS_NAMED else ""
        return f"declined: '{term}' is listed under {category} in scope.yaml{unless}"
    if match.reason == "greeting":
        return "declined: a greeting, answered with how to ask"
    if not match.ranked:
        return "declined: no word of the question belongs to any topic"
    best_id, best = match.ranked[0]
    runner = match.ranked[1][1] if len(match.ranked) > 1 else 0.0
    need = answer_min(match.reading)
    checks = [
        f"best {best:.2f} {'>=' if best >= need else '<'} {need}"
        + (" (the question names NMS)" if match.reading.subject else ""),
        f"lead {best - runner:.2f} {'>=' if best - runner >= MARGIN else '<'} {MARGIN}",
    ]
    if match.rule == "next":
        return (
            f"answered with {match.topic_id}: the question asks for the next step in an NMS case and names no "
            "part of the treatment (safety.yaml next)"
        )
    if match.rule == SUBJECT:
        return f"answered with {match.topic_id}: the question names NMS and nothing else (safety.yaml next's topic)"
    if match.rule == GENERAL:
        return f"answered with {match.topic_id}: the question asks how NMS is treated in general (next's topic)"
    if match.rule == PARTS:
        return (
            f"answered with {' and '.join((best_id, *match.joined))}: the question has several parts, each "
            f"topic holds one the others do not (at least {PART_MIN} of its weight), and together they cover "
            f"{match.score:.2f} of it"
        )
    if match.rule:
        return f"answered with {match.topic_id}: safety.yaml {match.rule} (the question names each concept)"
    if match.tie_with == match.topic_id:
        return (
            f"answered with {match.topic_id}, the first action safety.yaml carries: it ties with other topics "
            "and the question asks nothing that only they hold"
        )
    if match.tie_with:
        return (
            f"answered with {match.topic_id}: it ties with {match.tie_with}, the first action safety.yaml "
            "carries, so the answer leads with that and holds both"
        )
    if match.joined:
        return (
            f"answered with {' and '.join((best_id, *match.joined))}: they tie and the question asks about "
            "something only each holds, so one answer shows them all"
        )
    if match.status == "answer":
        return f"answered with {best_id}: " + " and ".join(checks)
    failed = [c for c in checks if " < " in c]
    why = (
        "the question names NMS but nothing about its treatment"
        if match.reason == "subject_only"
        else " and ".join(failed) or "another topic is as close"
    )
    if match.status == "suggest":
        return f"suggested topics scoring at least {SUGGEST_MIN}: not answered because {why}"
    return f"declined: no topic scores {SUGGEST_MIN} ({why})"


def explain(match: Match, matcher: Matcher, answer: Answer | None = None) -> dict[str, Any]:
    """Everything `--explain` shows, as data (the CLI prints it, `--json` returns it); with the
    `answer`, also what safety.yaml added to it."""
    r = match.reading
    notes = matcher.reader.drug_notes
    asking = sorted(set(r.clauses) & r.asking)
    return {
        "concepts": sorted(r.concepts),
        "dictionary_drugs": [{"typed": d, "generic": notes[d][0], "class": c} for d, c in r.members if d in notes],
        "other_drugs": r.other_drugs,
        "question_type": [
            *(["next step (safety.yaml next: " + ", ".join(r.asks_next) + ")"] if r.asks_next else []),
            *(["dose, frequency or duration (" + ", ".join(r.dose) + ")"] if r.dose else []),
        ],
        "asking_clauses": asking,
        "words": r.words,
        "corrections": [{"typed": a, "read_as": b} for a, b in r.corrections],
        "synonyms": [{"typed": a, "read_as": b} for a, b in r.mapped],
        "unnamed_drugs": [{"drug": a, "class": b} for a, b in r.members if a not in notes],
        "context": r.context,
        "dose_words": r.dose,
        "filler": r.filler,
        "numbers": [w for w in r.words if w[0].isdigit()],
        "names_nms": r.subject,
        "signs": r.signs,
        "counted": [
            {"stem": s, "weight": round(w, 3), "setting": r.content.get(s, False), "known": s in matcher.idf}
            for s, w in match.weights.items()
        ],
        "scores": [{"topic": t, "score": round(s, 3)} for t, s in match.ranked[:6]],
        "verdict": match.status,
        "reason": verdict_reason(match),
        "led_by": list(answer.carried) if answer else [],
        "notes": list(answer.notes) if answer else [],
        "also_named": r.also,
    }


def explain_text(match: Match, matcher: Matcher, answer: Answer | None = None) -> str:
    """The explanation as lines for a terminal."""
    d = explain(match, matcher, answer)
    pairs = lambda items, a, b: ", ".join(f"{i[a]} -> {i[b]}" for i in items) or "-"  # noqa: E731
    counted = (
        ", ".join(
            f"{c['stem']} {c['weight']:.2f}"
            + (" (setting)" if c["setting"] else "")
            + ("" if c["known"] else " (unknown)")
            for c in d["counted"]
        )
        or "-"
    )
    lines = [
        "How the question was read:",
        f"  words:        {' '.join(d['words']) or '-'}",
        f"  typos:        {pairs(d['corrections'], 'typed', 'read_as')}",
        f"  synonyms:     {pairs(d['synonyms'], 'typed', 'read_as')}",
        f"  concepts:     {', '.join(d['concepts']) or '-'}",
        "  drugs (dictionary): "
        + (", ".join(f"{x['typed']} = {x['generic']} -> {x['class']}" for x in d["dictionary_drugs"]) or "-"),
        f"  unnamed drugs (synonyms.yaml members): {pairs(d['unnamed_drugs'], 'drug', 'class')}",
        f"  other drugs (dictionary, not in drug_classes.yaml): {', '.join(d['other_drugs']) or '-'}",
        f"  question type: {'; '.join(d['question_type']) or '-'}"
        + (f" (asking clause {', '.join(map(str, d['asking_clauses']))})" if d["asking_clauses"] else ""),
        f"  context:      {', '.join(d['context']) or '-'}",
        f"  dose words:   {', '.join(d['dose_words']) or '-'}",
        f"  filler:       {', '.join(d['filler']) or '-'}",
        f"  numbers:      {', '.join(d['numbers']) or '-'} (values: they make the finding before them a setting)",
        f"  names NMS:    {'yes' if d['names_nms'] else 'no'}"
        + (f" (signs: {', '.join(d['signs'])})" if len(d["signs"]) >= 2 else ""),
        f"  counted:      {counted}",
        "Scores:",
        *[f"  {s['topic']:<20} {s['score']:.2f}" for s in d["scores"]],
        f"Verdict: {d['reason']}",
    ]
    if d["led_by"]:
        lines.append(
            "Safety: the answer leads with the first statement of "
            + ", ".join(d["led_by"])
            + " (safety.yaml carry: the question names what the rule watches for)"
        )
    lines += [f"Note added: {n}" for n in d["notes"]]
    return "\n".join(lines)
