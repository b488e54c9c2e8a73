"""`nms-bot`: ask, topics, validate, eval, policy, report, review, export, doctor and serve from the
command line.

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
from ..core.compose import Answer
from ..core.forms import Form, form_given, in_form
from ..core.render import to_dict, to_text
from ..errors import ConfigurationError
from .cache import cached_engine
from .content import DEFAULT_KNOWLEDGE, no_knowledge_base
from .content import add_parsers as add_content_parsers
from .db import add_parsers as add_db_parsers
from .doctor import add_parser as add_doctor_parser
from .review import add_parsers as add_review_parsers
from .terminal import echo

OK, PROBLEMS, USAGE = 0, 1, 2


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ask(args: argparse.Namespace) -> int:
    engine = cached_engine(args.knowledge)
    questions: Iterable[str]
    if args.question:
        questions = [" ".join(args.question)]
    else:
        if sys.stdin.isatty():
            print("Type one question per line; end with Ctrl-D.", file=sys.stderr)
        # Windows line ends and a byte-order mark are not part of anyone's question.
        questions = (line.rstrip("\r\n").lstrip("\ufeff") for line in sys.stdin)
    form = Form("brief" if args.brief else "full", "spelled_out" if args.spell_out else "short")
    first = True
    for question in questions:  # every line gets an answer, blank ones too: scripts zip in and out
        answer, match = engine.ask_explained(question)
        answer = in_form(answer, form)
        if args.blocks:
            _print_json(_blocks(answer, question))
        elif args.json:
            from ..core.explain import explain

            extra = {"explain": explain(match, engine.matcher, answer)} if args.explain else {}
            _print_json({**to_dict(answer), "form": form_given(answer), **extra})
        else:
            if not first:
                print("\n" + "-" * 40)
            echo(to_text(answer))
            if args.explain:
                from ..core.explain import explain_text

                echo("\n" + explain_text(match, engine.matcher, answer))
        sys.stdout.flush()
        first = False
    return OK


def _blocks(answer: Answer, question: str) -> dict[str, object]:
    """The Block Kit message a mention would get, as Block Kit Builder takes it: {"blocks": [...]}."""
    import os

    from ..core.privacy import looks_identifying
    from ..slack.blocks.answers import answer_message  # Slack's block builder: only `ask --blocks` loads it

    escalate = bool(os.environ.get("NMS_ESCALATION_CHANNEL", "").strip())
    message = answer_message(answer, "mention", phi_reminder=looks_identifying(question), escalate=escalate)
    return {"blocks": message["blocks"]}


def cmd_report(args: argparse.Namespace) -> int:
    from ..core.loader import KnowledgeError, load_knowledge
    from ..storage.report import run_report  # keeps the database layer out of other commands

    try:  # the knowledge base adds the topics nobody was shown; the report works without it
        topic_ids = sorted(load_knowledge(args.knowledge).topics)
    except KnowledgeError:
        print("nms-bot: the knowledge base has problems; reporting recorded topics only", file=sys.stderr)
        topic_ids = None
    return run_report(args.since, args.json, topic_ids)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..slack.serve.server import serve  # the only command that imports Slack libraries

    return serve(http=args.http, port=args.port, knowledge_path=args.knowledge)


def _version() -> str:
    from ..core.loader import KnowledgeError, load_knowledge

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
        "--brief",
        action="store_true",
        help="the brief form: the first action and key statements with their citation numbers, no reference list",
    )
    p.add_argument(
        "--spell-out",
        action="store_true",
        help='spell out abbreviations on first use: "electroconvulsive therapy (ECT)" (knowledge/abbreviations.yaml)',
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="also show how the question was read and scored (typos, synonyms, context, scores, verdict)",
    )
    p.add_argument(
        "--blocks",
        action="store_true",
        help='print the Block Kit message Slack would show ({"blocks": [...]}, one per line): paste it into '
        "Block Kit Builder (app.slack.com/block-kit-builder)",
    )
    p.set_defaults(func=cmd_ask)

    add_content_parsers(sub, common)

    p = sub.add_parser("report", parents=[common], help="feedback and unanswered questions (redacted)")
    p.add_argument(
        "--since", type=_since, default=_since("7d"), metavar="7d", help="period to report, e.g. 7d or 24h (default 7d)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object instead of the table: {"since", "days", "topics": [{"id", "answers", '
        '"helpful", "not_helpful", "escalations"}], "escalations": {"total", "unanswered"}, "gaps": [{"text" '
        '(redacted), "status", "count"}]}',
    )
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
    except ConfigurationError as exc:
        print(f"nms-bot: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nms-bot ask ... | head`
        return OK
    except Exception as exc:
        return _reported(exc)


def _reported(exc: Exception) -> int:
    """The exit code of a knowledge base or question file with problems, which are printed; any
    other exception is raised again. Imported here: `ask` with a cached engine loads neither."""
    from ..core.checks import KnowledgeError
    from ..core.evaluate import QuestionFileError

    if isinstance(exc, QuestionFileError):
        print(exc, file=sys.stderr)
        return USAGE
    if not isinstance(exc, KnowledgeError):
        raise exc
    if no_knowledge_base(exc.problems):  # no knowledge base there at all: a usage error
        print(f"{exc}\nnms-bot: check the knowledge directory (--knowledge PATH or NMS_KNOWLEDGE)", file=sys.stderr)
        return USAGE
    print(f"{exc}\nnms-bot: the knowledge base has problems (run `nms-bot validate`).", file=sys.stderr)
    return PROBLEMS


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
