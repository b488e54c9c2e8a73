"""`nms-bot review`, `nms-bot review approve` and `nms-bot export --html`: clinical sign-off."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.signoff import ReviewStatus

# The commands import the knowledge chain (loader, sign-off) when run, so that building the
# command line for another command (a cold `nms-bot ask`) does not load it.
OK, PROBLEMS, USAGE = 0, 1, 2
APPROVE_HINT = 'To approve a topic\'s current text: nms-bot review approve TOPIC --by "NAME" [--note "..."]'


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date written YYYY-MM-DD, got {value!r}") from None


def _status_dict(s: ReviewStatus, today: dt.date) -> dict[str, Any]:
    r = s.record
    return {
        "id": s.topic.id,
        "title": s.topic.title,
        "state": s.state,
        "pending": s.pending,
        "fingerprint": s.fingerprint,
        "owners": [{"id": o.slack_id, "name": o.name} for o in s.topic.owners],
        "review_interval_days": s.interval_days,
        "approval": {"by": r.by, "date": r.date.isoformat(), "note": r.note or None, "fingerprint": r.fingerprint}
        if r
        else None,
        "due": s.due.isoformat() if s.due else None,
        "days_overdue": s.days_overdue(today) if s.due else None,
        "diff": list(s.diff),
    }


def _owners(s: ReviewStatus) -> str:
    names = ", ".join(f"{o.name} ({o.slack_id})" for o in s.topic.owners)
    return names or "none (nobody is reminded)"


def _print_text(statuses: list[ReviewStatus], version: str, today: dt.date) -> None:
    from ..core.signoff import APPROVED, CHANGED, NEVER, OVERDUE, STATE_LABELS, STATES, days, short

    headings = {
        CHANGED: "Changed since approval: shown as pending review until approved again",
        OVERDUE: "Review overdue: still served; check the text and approve it again",
        NEVER: "Never approved: shown as pending review",
        APPROVED: "Approved",
    }
    print(f"Clinical review of knowledge {version} on {today.isoformat()}")
    for state in STATES:
        group = [s for s in statuses if s.state == state]
        if not group:
            continue
        print(f"\n{headings[state]} ({len(group)})")
        width = max(len(s.topic.id) for s in group)
        for s in group:
            r = s.record
            line = f"  {s.topic.id:<{width}}  {s.topic.title}"
            if state in (APPROVED, OVERDUE) and r and s.due:
                late = s.days_overdue(today)
                line += f": approved by {r.by} on {r.date.isoformat()}, due {s.due.isoformat()}"
                line += f" ({days(late)} overdue)" if late > 0 else ""
            print(line)
            if state == CHANGED and r:
                print(
                    f"      approved by {r.by} on {r.date.isoformat()} as {short(r.fingerprint)}, "
                    f"now {short(s.fingerprint)}; changes:"
                )
                for d in s.diff:
                    print(f"      {d}")
            print(f"      owners: {_owners(s)}")
    counts = ", ".join(f"{sum(s.state == st for s in statuses)} {STATE_LABELS[st]}" for st in STATES)
    print(f"\n{len(statuses)} topics: {counts}.\n{APPROVE_HINT}")


def cmd_review(args: argparse.Namespace) -> int:
    from ..core.loader import load_knowledge
    from ..core.signoff import APPROVED, STATES, review_statuses

    knowledge = load_knowledge(args.knowledge)
    today = args.as_of or dt.date.today()
    statuses = review_statuses(knowledge, today)
    if args.json:
        print(
            json.dumps(
                {
                    "knowledge_version": knowledge.version,
                    "date": today.isoformat(),
                    "review_interval_days": knowledge.review_interval_days,
                    "counts": {st: sum(s.state == st for s in statuses) for st in STATES},
                    "topics": [_status_dict(s, today) for s in statuses],
                },
                ensure_ascii=False,
            )
        )
    else:
        _print_text(statuses, knowledge.version, today)
    return PROBLEMS if args.strict and any(s.state != APPROVED for s in statuses) else OK


def _inside_package(path: Path) -> bool:
    package = Path(__file__).resolve().parent.parent
    return package in path.resolve().parents or path.resolve() == package


def cmd_approve(args: argparse.Namespace) -> int:
    from ..core.approvals import APPROVALS_FILE, record_approval
    from ..core.checks import did_you_mean
    from ..core.loader import default_knowledge_path, load_knowledge
    from ..core.signoff import short, topic_fingerprint

    root = Path(args.knowledge) if args.knowledge else default_knowledge_path()
    by = " ".join(args.by.split())
    if not by:
        print("nms-bot: --by needs the approver's name", file=sys.stderr)
        return USAGE
    if args.fingerprint and len(args.topics) != 1:
        print("nms-bot: --fingerprint names the text of one topic: approve one topic at a time", file=sys.stderr)
        return USAGE
    if _inside_package(root):
        print(
            f"nms-bot: {root} is the copy installed with the program; approve in your knowledge folder "
            "(run from the folder that holds knowledge/, or pass --knowledge PATH)",
            file=sys.stderr,
        )
        return USAGE
    knowledge = load_knowledge(root)
    for tid in args.topics:
        if tid not in knowledge.topics:
            hint = did_you_mean(tid, knowledge.topics, " (nms-bot topics lists them)")
            print(f"nms-bot: no topic '{tid}'{hint}", file=sys.stderr)
            return USAGE
        if knowledge.topics[tid].review == "draft":
            print(
                f"nms-bot: topic '{tid}' is a draft (review: draft): set 'review: under-review' in its file "
                "when the text is ready for sign-off",
                file=sys.stderr,
            )
            return PROBLEMS
    if args.fingerprint:
        wanted = args.fingerprint.strip().lower().removeprefix("sha256:")
        topic = knowledge.topics[args.topics[0]]
        current = topic_fingerprint(topic, knowledge.references)
        if not re.fullmatch(r"[0-9a-f]{8,64}", wanted):
            print(
                "nms-bot: --fingerprint must be at least 8 hex digits, as printed in the review packet", file=sys.stderr
            )
            return USAGE
        if not current.removeprefix("sha256:").startswith(wanted):
            print(
                f"nms-bot: topic '{topic.id}' no longer has the text with fingerprint {args.fingerprint} "
                f"(now {short(current)}): nothing recorded; review the current text (nms-bot review, "
                "nms-bot export --html) and approve that",
                file=sys.stderr,
            )
            return PROBLEMS
    for tid in args.topics:
        approval = record_approval(root, knowledge, tid, by, args.note or "")
        print(f"Approved '{tid}' as {short(approval.fingerprint)} by {approval.by} on {approval.date.isoformat()}.")
    print(f"Recorded in {root / APPROVALS_FILE}: commit it together with the topic files.")
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    from ..core.loader import load_knowledge

    knowledge = load_knowledge(args.knowledge)
    out: Path = args.html
    if out.exists() and not out.is_dir():
        print(f"nms-bot: {out} is a file; --html needs a folder", file=sys.stderr)
        return USAGE
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    from ..core.packet import build_packet  # only `export` needs the HTML packet

    page.write_text(build_packet(knowledge, args.as_of or dt.date.today()), encoding="utf-8")
    print(f"Review packet for knowledge {knowledge.version}: {page}")
    return OK


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `review` (with `approve`) and `export` to the nms-bot command line."""

    p = sub.add_parser(
        "review",
        parents=[common],
        help="clinical sign-off: what is approved, changed, overdue",
        # argparse shows a subcommand as if it were required: without `approve`, review lists the states
        usage="nms-bot review [-h] [--knowledge PATH] [--json] [--strict] [--as-of YYYY-MM-DD]\n"
        '       nms-bot review approve TOPIC... --by "NAME" [--note TEXT] [--fingerprint FP] [--knowledge PATH]',
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--strict", action="store_true", help="exit 1 when any topic is pending or overdue")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="judge due dates as of this day (default today)")
    p.set_defaults(func=cmd_review)
    actions = p.add_subparsers(dest="action", metavar="approve", title="optional command")
    a = actions.add_parser(
        "approve",
        prog="nms-bot review approve",
        help="record an approval of topics' current text in approvals.yaml (without it: list the states)",
    )
    a.add_argument("topics", nargs="+", metavar="TOPIC", help="topic id(s)")
    a.add_argument("--by", required=True, metavar="NAME", help="who approves (name as it should appear)")
    a.add_argument("--note", metavar="TEXT", help="optional note kept with the approval")
    a.add_argument(
        "--fingerprint",
        metavar="FP",
        help="approve only if the topic's text still has this fingerprint (from the review packet)",
    )
    a.add_argument(
        "--knowledge",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="knowledge directory to record the approval in",
    )
    a.set_defaults(func=cmd_approve)

    p = sub.add_parser("export", parents=[common], help="write the review packet (static HTML)")
    p.add_argument("--html", type=Path, required=True, metavar="DIR", help="folder to write index.html into")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="judge due dates as of this day (default today)")
    p.set_defaults(func=cmd_export)
