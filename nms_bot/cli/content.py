"""`nms-bot topics`, `validate`, `eval` and `policy`: the commands clinical editors use on the
knowledge base."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.checks import Problem

from .terminal import echo

OK, PROBLEMS, USAGE = 0, 1, 2
DEFAULT_KNOWLEDGE = "$NMS_KNOWLEDGE, else ./knowledge when it exists, else the copy installed with nms-bot"


NOT_THERE = ("knowledge directory not found", "is a file, not a knowledge directory")


def no_knowledge_base(problems: list[Problem], unreadable: bool = True) -> bool:
    """True when the only problem is that there is no knowledge directory there at all (nothing,
    or a file; `unreadable`: or one this user cannot read): a usage error (exit 2), not a
    knowledge base with problems."""

    def absent(p: Problem) -> bool:
        return p.line == 0 and (p.message.startswith(NOT_THERE) or (unreadable and "knowledge directory" in p.message))

    return bool(problems) and all(absent(p) for p in problems)


# Each command imports the core it needs when it runs: building the command line for another
# command (a cold `nms-bot ask`) then loads none of the validation or the evaluation.


def cmd_topics(args: argparse.Namespace) -> int:
    from ..core.engine import Engine
    from ..core.render import topic_list

    engine = Engine.load(args.knowledge)
    topics = topic_list(engine.knowledge)
    hidden = sorted(engine.hidden.values(), key=lambda t: t.title.lower())
    if args.json:
        rows = [(t, True) for t in topics] + [(t, False) for t in hidden]
        print(
            json.dumps(
                [
                    {
                        "id": t.id,
                        "title": t.title,
                        "review": t.review_state,
                        "served": served,
                        "updated": t.updated.isoformat(),
                        "citations": list(t.citations),
                        "related": list(t.related),
                    }
                    for t, served in rows
                ],
                ensure_ascii=False,
            )
        )
        return OK
    width = max((len(t.id) for t in [*topics, *hidden]), default=0)
    for t in topics:
        echo(f"{t.id:<{width}}  {t.title}")
    if hidden:
        echo(
            f"\nHidden: {len(hidden)} topic(s) awaiting clinical approval, not served while NMS_APPROVED_ONLY=1 "
            "(nms-bot review):"
        )
        for t in hidden:
            why = "changed since approval" if t.id in engine.knowledge.approvals else t.review
            echo(f"{t.id:<{width}}  {t.title} ({why})")
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ..core.loader import default_knowledge_path, validate_knowledge

    if args.path and args.knowledge and Path(args.path).resolve() != Path(args.knowledge).resolve():
        print(
            "nms-bot: validate takes one knowledge directory: give it as PATH or as --knowledge, not both",
            file=sys.stderr,
        )
        return USAGE
    path = args.path or args.knowledge or default_knowledge_path()
    knowledge, problems = validate_knowledge(path, max_age_days=args.max_age)
    for p in problems:
        print(p, file=sys.stderr)
    if no_knowledge_base(problems, unreadable=False):  # validate reports an unreadable one as a problem (1)
        return USAGE
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if errors:
        print(f"{len(errors)} error(s), {warnings} warning(s) in {path}", file=sys.stderr)
        return PROBLEMS
    assert knowledge is not None
    print(
        f"{path}: OK, {len(knowledge.topics)} topics, {len(knowledge.references)} references, "
        f"knowledge {knowledge.version}" + (f", {warnings} warning(s)" if warnings else "")
    )
    return PROBLEMS if warnings and args.strict else OK


def cmd_eval(args: argparse.Namespace) -> int:
    from ..core.engine import Engine
    from ..core.evaluate import QuestionFileError, evaluate, load_questions

    if not 0 <= args.min_accuracy <= 1:
        raise QuestionFileError(f"--min-accuracy is a share between 0 and 1 (e.g. 0.95), not {args.min_accuracy:g}")
    if args.max_wrong is not None and args.max_wrong < 0:
        raise QuestionFileError("--max-wrong is a number of questions, 0 or more")
    engine = Engine.load(args.knowledge)
    items = load_questions(args.file, [*engine.knowledge.topics, *engine.hidden])
    report = evaluate(engine, items)
    max_wrong = sys.maxsize if args.max_wrong is None else args.max_wrong
    passed = report.accuracy >= args.min_accuracy and len(report.wrong) <= max_wrong
    if args.json:
        print(json.dumps({**report.to_dict(), "passed": passed}, ensure_ascii=False))
        return OK if passed else PROBLEMS
    for o in report.misses:
        expect = ",".join(o.expect) if o.expect else "none"
        got = o.topic if o.status == "answer" else f"{o.status}({','.join(o.suggestions)})"
        label = "WRONG" if o.wrong else "MISS "
        echo(f"{label} [{o.kind or '-'}] {o.question!r}: expected {expect}, got {got}")
    d = report.to_dict()
    print(f"{'kind':<10} {'questions':>9} {'right':>6} {'1-click':>8} {'wrong':>6}")
    for kind, k in d["by_kind"].items():
        print(f"{kind:<10} {k['questions']:>9} {k['right']:>6} {k['one_click']:>8} {k['wrong']:>6}")
    if d["in_scope"]:
        print(f"in-scope accuracy: {d['accuracy']:.1%} of {d['in_scope']}")
        print(f"right topic in one click (answer or first suggestion): {d['one_click']:.1%}")
    else:
        print("in-scope accuracy: no in-scope questions in the file")
    print(f"wrong confident answers: {d['wrong_answers']}")
    if d["out_of_scope"]:
        print(f"out-of-scope rejected: {d['rejection']:.1%} of {d['out_of_scope']}")
    else:
        print("out-of-scope rejected: no out-of-scope questions (expect: none) in the file")
    if not passed:
        failed = [
            f"accuracy {d['accuracy']:.1%} is below --min-accuracy {args.min_accuracy:.1%}"
            if report.accuracy < args.min_accuracy
            else "",
            f"{d['wrong_answers']} wrong answers exceed --max-wrong {max_wrong}"
            if len(report.wrong) > max_wrong
            else "",
        ]
        print("FAILED: " + "; ".join(f for f in failed if f), file=sys.stderr)
    return OK if passed else PROBLEMS


def cmd_policy(args: argparse.Namespace) -> int:
    from ..core.loader import load_knowledge
    from ..core.policy import policy_text

    echo(policy_text(load_knowledge(args.knowledge)))
    return OK


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `topics`, `validate`, `eval` and `policy` to the nms-bot command line."""
    p = sub.add_parser("topics", parents=[common], help="list the topics (and those NMS_APPROVED_ONLY=1 hides)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list (id, title, review, served, updated, citations, related)",
    )
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("validate", parents=[common], help="check a knowledge directory")
    p.add_argument("path", nargs="?", type=Path, help=f"knowledge directory (default: {DEFAULT_KNOWLEDGE})")
    p.add_argument(
        "--max-age",
        type=_days,
        default=365,
        metavar="DAYS",
        help="warn about topics not updated for this long (default 365)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("eval", parents=[common], help="score the matcher on a question file")
    p.add_argument(
        "file",
        type=Path,
        help="a YAML list of {q, expect: [topic ids] or none, kind} (tests/data/questions.yaml shows the format)",
    )
    p.add_argument("--json", action="store_true", help="print the scores and the misses as one JSON object")
    p.add_argument(
        "--min-accuracy", type=float, default=0.0, metavar="X", help="exit 1 when in-scope accuracy is below X (0-1)"
    )
    p.add_argument(
        "--max-wrong", type=int, default=None, metavar="N", help="exit 1 on more than N wrong confident answers"
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("policy", parents=[common], help="the editorial policy (knowledge/policy.yaml)")
    p.set_defaults(func=cmd_policy)


def _days(value: str) -> int:
    """A number of days, 0 or more."""
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"expected a number of days, 0 or more, got {value!r}")
    return days
