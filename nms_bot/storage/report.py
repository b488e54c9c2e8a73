"""`nms-bot report`: answers, feedback and escalations ("Ask a colleague") per topic, and the most
frequent (redacted) gaps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..core.text import printable
from .store import Store, StoreError, database_url, sqlite_file


def build_report(
    store: Store, since_days: int, topic_ids: list[str] | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Counts per topic (with `topic_ids`, also the topics nobody was shown), escalations of
    questions the bot could not answer, and top gaps."""
    since = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=since_days)
    escalated = store.escalation_counts(since)
    topics = [
        {
            "id": s.topic_id,
            "answers": s.answers,
            "helpful": s.helpful,
            "not_helpful": s.not_helpful,
            "escalations": escalated.get(s.topic_id, 0),
        }
        for s in store.topic_stats(since)
    ]
    seen = {t["id"] for t in topics}
    # A topic someone escalated (Not helpful, then Ask a colleague) whose answers are older than the period.
    topics += [
        {"id": t, "answers": 0, "helpful": 0, "not_helpful": 0, "escalations": n}
        for t, n in sorted(escalated.items())
        if t and t not in seen
    ]
    seen |= set(escalated)
    topics += [
        {"id": t, "answers": 0, "helpful": 0, "not_helpful": 0, "escalations": 0}
        for t in topic_ids or ()
        if t not in seen
    ]
    return _printable(
        {
            "since": since.isoformat(timespec="seconds"),
            "days": since_days,
            "topics": topics,
            "escalations": {"total": sum(escalated.values()), "unanswered": escalated.get("", 0)},
            "gaps": [{"text": t, "status": status, "count": n} for t, status, n in store.top_gaps(since)],
        }
    )


def _printable(value: Any) -> Any:
    """The report with every string printable: stored text goes to an editor's terminal, where an
    escape sequence in it must not act (clear the screen, rewrite lines, set the title)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def format_report(report: dict[str, Any]) -> str:
    lines = [f"Last {report['days']} day(s), since {report['since']}", ""]
    topics = report["topics"]
    width = max([len(t["id"]) for t in topics] + [5])
    lines.append(f"{'topic':<{width}}  {'answers':>7}  {'helpful':>7}  {'not helpful':>11}  {'escalated':>9}")
    lines += [
        f"{t['id']:<{width}}  {t['answers']:>7}  {t['helpful']:>7}  {t['not_helpful']:>11}  {t['escalations']:>9}"
        for t in topics
    ]
    if not topics:
        lines.append("(no answers recorded)")
    escalations = report["escalations"]
    lines += [
        "",
        f"Handed to a colleague (Ask a colleague): {escalations['total']}, "
        f"{escalations['unanswered']} of them questions the bot could not answer",
    ]
    lines += ["", "Most frequent unanswered questions (only the knowledge base's words; [?]: any other word):"]
    lines += [f"{g['count']:>5}  [{g['status']}] {g['text']}" for g in report["gaps"]]
    if not report["gaps"]:
        lines.append("(none recorded; set NMS_RECORD_GAPS=1 in the bot's environment to record them)")
    return "\n".join(lines)


def run_report(since_days: int, as_json: bool, topic_ids: list[str] | None = None) -> int:
    """`nms-bot report`: print the report for the database the environment names. A read
    command: it never creates the database."""
    path = sqlite_file(database_url())
    if path and not Path(path).is_file():
        raise StoreError(
            f"no database at {path} yet (NMS_DB): the bot creates it when it first runs; "
            "set NMS_DB to the bot's database file"
        )
    store = Store.from_env(answering=False)
    try:
        report = build_report(store, since_days, topic_ids)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the database ({type(exc).__name__})") from None
    finally:
        store.close()
    print(json.dumps(report) if as_json else format_report(report))
    return 0
