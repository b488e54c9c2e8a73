"""`nms-bot`: ask, topics, validate, eval, report, review, export and serve from the command line.

Exit codes: 0 done (whether `ask` answered, suggested or declined), 1 the knowledge base has
problems (or `eval`/`validate --strict` fell short), 2 usage or configuration errors.
The offline commands import nothing from Slack.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from .. import __version__
from ..core.engine import Engine
from ..core.evaluate import QuestionFileError, evaluate, load_questions
from ..core.explain import explain, explain_text
from ..core.loader import KnowledgeError, default_knowledge_path, load_knowledge, validate_knowledge
from ..core.render import to_dict, to_text, topic_list
from ..errors import ConfigurationError
from .db import add_parsers as add_db_parsers
from .doctor import add_parser as add_doctor_parser
from .review import add_parsers as add_review_parsers

OK, PROBLEMS, USAGE = 0, 1, 2
DEFAULT_KNOWLEDGE = "$NMS_KNOWLEDGE, else ./knowledge when it exists, else the copy installed with nms-bot"


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ask(args: argparse.Namespace) -> int:
    engine = Engine.load(args.knowledge)
    questions: Iterable[str]
    if args.question:
        questions = [" ".join(args.question)]
    else:
        if sys.stdin.isatty():
            print("Type one question per line; end with Ctrl-D.", file=sys.stderr)
        # Windows line ends and a byte-order mark are not part of anyone's question.
        questions = (line.rstrip("\r\n").lstrip("\ufeff") for line in sys.stdin)
    first = True
    for question in questions:  # every line gets an answer, blank ones too: scripts zip in and out
        answer, match = engine.ask_explained(question)
        if args.json:
            extra = {"explain": explain(match, engine.matcher, answer)} if args.explain else {}
            _print_json({**to_dict(answer), **extra})
        else:
            if not first:
                print("\n" + "-" * 40)
            print(to_text(answer))
            if args.explain:
                print("\n" + explain_text(match, engine.matcher, answer))
        sys.stdout.flush()
        first = False
    return OK


def cmd_topics(args: argparse.Namespace) -> int:
    engine = Engine.load(args.knowledge)
    topics = topic_list(engine.knowledge)
    if args.json:
        _print_json(
            [
                {
                    "id": t.id,
                    "title": t.title,
                    "review": t.review_state,
                    "updated": t.updated.isoformat(),
                    "citations": list(t.citations),
                    "related": list(t.related),
                }
                for t in topics
            ]
        )
    else:
        width = max((len(t.id) for t in topics), default=0)
        for t in topics:
            print(f"{t.id:<{width}}  {t.title}")
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
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
    if not 0 <= args.min_accuracy <= 1:
        raise QuestionFileError(f"--min-accuracy is a share between 0 and 1 (e.g. 0.95), not {args.min_accuracy:g}")
    if args.max_wrong is not None and args.max_wrong < 0:
        raise QuestionFileError("--max-wrong is a number of questions, 0 or more")
    items = load_questions(args.file)
    report = evaluate(Engine.load(args.knowledge), items)
    max_wrong = sys.maxsize if args.max_wrong is None else args.max_wrong
    passed = report.accuracy >= args.min_accuracy and len(report.wrong) <= max_wrong
    if args.json:
        _print_json({**report.to_dict(), "passed": passed})
    else:
        for o in report.misses:
            expect = ",".join(o.expect) if o.expect else "none"
            got = o.topic if o.status == "answer" else f"{o.status}({','.join(o.suggestions)})"
            label = "WRONG" if o.wrong else "MISS "
            print(f"{label} [{o.kind or '-'}] {o.question!r}: expected {expect}, got {got}")
        d = report.to_dict()
        print(f"{'kind':<10} {'questions':>9} {'right':>6} {'1-click':>8} {'wrong':>6}")
        for kind, k in d["by_kind"].items():
            print(f"{kind:<10} {k['questions']:>9} {k['right']:>6} {k['one_click']:>8} {k['wrong']:>6}")
        print(f"in-scope accuracy: {d['accuracy']:.1%} of {d['in_scope']}")
        print(f"right topic in one click (answer or first suggestion): {d['one_click']:.1%}")
        print(f"wrong confident answers: {d['wrong_answers']}")
        print(f"out-of-scope rejected: {d['rejection']:.1%} of {d['out_of_scope']}")
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


def cmd_report(args: argparse.Namespace) -> int:
    from ..storage.report import run_report  # keeps the database layer out of other commands

    try:  # the knowledge base adds the topics nobody was shown; the report works without it
        topic_ids = sorted(load_knowledge(args.knowledge).topics)
    except KnowledgeError:
        print("nms-bot: the knowledge base has problems; reporting recorded topics only", file=sys.stderr)
        topic_ids = None
    return run_report(args.since, args.json, topic_ids)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..slack.server import serve  # the only command that imports Slack libraries

    return serve(http=args.http, port=args.port, knowledge_path=args.knowledge)


def _version() -> str:
    try:
        knowledge = load_knowledge().version
    except KnowledgeError:
        knowledge = "invalid (run nms-bot validate)"
    return f"nms-bot {__version__} (knowledge {knowledge})"


MAX_DAYS = 36500  # a hundred years: anything longer is a typo, and overflows date arithmetic


def _since(value: str) -> int:
    """'7d', '24h' or a number of days, as days (hours round up to a day)."""
    v = value.strip().lower()
    try:
        days = max(1, -(-int(v[:-1]) // 24)) if v.endswith("h") else int(v[:-1] if v.endswith("d") else v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected e.g. 7d or 24h, got {value!r}") from None
    if not 1 <= days <= MAX_DAYS or (v.endswith("h") and int(v[:-1]) < 1):
        raise argparse.ArgumentTypeError(f"expected a period from 1h to {MAX_DAYS}d, got {value!r}")
    return days


def _days(value: str) -> int:
    """A number of days, 0 or more."""
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"expected a number of days, 0 or more, got {value!r}")
    return days


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--knowledge", metavar="PATH", type=Path, help=f"knowledge directory (default: {DEFAULT_KNOWLEDGE})"
    )
    parser = argparse.ArgumentParser(
        prog="nms-bot",
        description="Look up how neuroleptic malignant syndrome (NMS) is treated.",
        epilog='Content: Dr.Oracle Medical Advisory Board & Editors, "What is the treatment for Neuroleptic '
        'Malignant Syndrome (NMS)?" (last updated July 1, 2025) and the references it cites. '
        "Educational use for healthcare professionals; not a substitute for clinical judgement.",
    )
    parser.add_argument("--version", action="store_true", help="print program and knowledge versions")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ask", parents=[common], help="answer a question (or one per line from stdin)")
    p.add_argument("question", nargs="*", help="the question; omit to read questions from stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")
    p.add_argument(
        "--explain",
        action="store_true",
        help="also show how the question was read and scored (typos, synonyms, context, scores, verdict)",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("topics", parents=[common], help="list the topics")
    p.add_argument("--json", action="store_true", help="print a JSON list (id, title, review, updated, citations)")
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

    p = sub.add_parser("report", parents=[common], help="feedback and unanswered questions (redacted)")
    p.add_argument(
        "--since", type=_since, default=_since("7d"), metavar="7d", help="period to report, e.g. 7d or 24h (default 7d)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    add_review_parsers(sub, common)
    add_db_parsers(sub)
    add_doctor_parser(sub, common)

    p = sub.add_parser("serve", parents=[common], help="run the Slack app")
    p.add_argument("--http", action="store_true", help="HTTP mode (default: Socket Mode)")
    p.add_argument(
        "--port", default=None, metavar="N", help="HTTP port, 1-65535 or 0 for any free one (default $PORT, else 3000)"
    )
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(_version())
        return OK
    if not args.command:
        parser.print_help(sys.stderr)
        return USAGE
    try:
        return args.func(args)
    except QuestionFileError as exc:
        print(exc, file=sys.stderr)
        return USAGE
    except ConfigurationError as exc:
        print(f"nms-bot: {exc}", file=sys.stderr)
        return USAGE
    except KnowledgeError as exc:
        if [p.message for p in exc.problems if p.line == 0 and "knowledge directory" in p.message] == [
            p.message for p in exc.problems
        ]:  # no knowledge base there at all: a usage error
            print(f"{exc}\nnms-bot: check the knowledge directory (--knowledge PATH or NMS_KNOWLEDGE)", file=sys.stderr)
            return USAGE
        print(f"{exc}\nnms-bot: the knowledge base has problems (run `nms-bot validate`).", file=sys.stderr)
        return PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nms-bot ask ... | head`
        return OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
