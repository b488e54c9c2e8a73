"""approvals.yaml and the sign-off fields of a topic: read and check them (`file:line`
messages), bind approvals to topics whose text still matches, and record new approvals.

The loader calls in here; this module is about sign-off only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .checks import SourceFile, did_you_mean, items, kind
from .model import TIERS, Approval, Knowledge, Owner, Reference, Topic
from .signoff import approved_text, changes, fingerprint, line_kind, statement_number
from .yamlfile import Mapping, Sequence

APPROVALS_FILE = "approvals.yaml"
OWNER_ID_RE = re.compile(r"^[UW][A-Z0-9]{8,14}$")
FINGERPRINT_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
MAX_INTERVAL_DAYS = 3650
HEADER = """\
# Clinical sign-off records, one per topic, written by `nms-bot review approve TOPIC --by NAME`.
# Each holds who approved, when, and the exact text approved with its fingerprint. A topic whose
# text no longer matches is shown as pending review again. Do not edit by hand: see README.md.
"""


def check_interval(f: SourceFile, m: Mapping, name: str = "review_interval_days") -> int | None:
    """An optional whole number of days (1 to 3650); None when absent or wrong (reported)."""
    if name not in m:
        return None
    value = m[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTERVAL_DAYS:
        f.error(
            m.lines[name], f"'{name}' must be a whole number of days from 1 to {MAX_INTERVAL_DAYS}, found {kind(value)}"
        )
        return None
    return value


def check_owners(f: SourceFile, m: Mapping) -> tuple[Owner, ...]:
    """A topic's optional `owners`: each a Slack user id and a display name."""
    if "owners" not in m:
        return ()
    value, line = m["owners"], m.lines["owners"]
    if not isinstance(value, Sequence) or not value:
        f.error(
            line,
            "'owners' must be a list, each owner with 'id' (a Slack user id like U012AB3CDE) "
            f"and 'name', found {kind(value)}",
        )
        return ()
    owners: list[Owner] = []
    seen: dict[str, int] = {}
    for item, item_line in items(value):
        o = f.mapping(item, item_line, "an owner")
        if o is None or not f.fields(o, ("id", "name")):
            continue
        sid, name = o.get("id"), f.text(o, "name")
        if not isinstance(sid, str) or not OWNER_ID_RE.match(sid):
            hint = (
                f" (Slack user ids are upper case: '{sid.upper()}')"
                if isinstance(sid, str) and OWNER_ID_RE.match(sid.upper())
                else ""
            )
            f.error(
                o.lines["id"],
                "owner 'id' must be a Slack user id like U012AB3CDE (in Slack: the person's "
                f"profile, \u22ee, Copy member ID), found {kind(sid)}{hint}",
            )
            continue
        if sid in seen:
            f.error(o.lines["id"], f"owner '{sid}' is listed twice (first on line {seen[sid]})")
            continue
        seen[sid] = o.lines["id"]
        if name:
            owners.append(Owner(sid, name))
    return tuple(owners)


def read_approvals(f: SourceFile, today: dt.date, topic_ids: set[str] | None) -> dict[str, Approval]:
    """The records in approvals.yaml, checked; `topic_ids` None: don't judge unknown topics."""
    if not f.ok or f.data is None:  # missing is fine: nothing approved yet
        return {}
    m = f.mapping(f.data, 1, APPROVALS_FILE)
    out: dict[str, Approval] = {}
    for tid in m or {}:
        line = m.lines[tid]  # type: ignore[union-attr]
        if topic_ids is not None and tid not in topic_ids:
            hint = did_you_mean(tid, topic_ids)
            f.warn(line, f"approval of '{tid}', which is not a topic{hint}: remove it or restore the topic")
        r = f.mapping(m[tid], line, f"the approval of '{tid}'")  # type: ignore[index]
        if r is None or not f.fields(r, ("by", "date", "fingerprint", "text"), ("note",)):
            continue
        by, date, text = f.text(r, "by"), f.date(r, "date", today), f.texts(r, "text")
        note = f.text(r, "note") if r.get("note") else ""
        fp = r.get("fingerprint")
        if not isinstance(fp, str) or not FINGERPRINT_RE.match(fp):
            f.error(r.lines["fingerprint"], f"'fingerprint' must look like sha256:<64 hex digits>, found {kind(fp)}")
            continue
        if text and fingerprint(text) != fp:
            f.error(
                r.lines["fingerprint"],
                f"the approval of '{tid}' does not match the text recorded with it "
                f"(edited by hand?): approve it again with nms-bot review approve {tid} --by NAME",
            )
            continue
        if by and date and text:
            out[tid] = Approval(tid, by, date, note or "", fp, tuple(text))
    return out


def attach_approvals(
    topics: list[tuple[Topic, SourceFile]],
    approvals: dict[str, Approval],
    references: dict[str, Reference],
) -> list[tuple[Topic, SourceFile]]:
    """Topics with `approval` set where the record matches the text; a warning where it does not."""
    out = []
    for topic, f in topics:
        record = approvals.get(topic.id)
        text = approved_text(topic, references) if record else ()
        if record and record.fingerprint == fingerprint(text):
            topic = replace(topic, approval=record)
        elif record:
            found = changes(record.text, text)
            what = "; ".join(c.what for c in found[:4]) + (f"; {len(found) - 4} more" if len(found) > 4 else "")
            line = _line_of(f.data, topic, text, found[0].new_index if found else 0)
            f.warn(
                line,
                f"topic '{topic.id}' changed since {record.by} approved it on {record.date.isoformat()} "
                f"({what or 'text changed'}): it shows as pending review until approved again "
                f"(`nms-bot review` shows the changes; `nms-bot review approve {topic.id} --by NAME`)",
            )
        out.append((topic, f))
    return out


def _line_of(m: Mapping, topic: Topic, text: tuple[str, ...], index: int) -> int:
    """The topic file's line for a line of its approved text."""
    kind = line_kind(text[index]) if 0 <= index < len(text) else "title"
    if kind == "title":
        return m.lines.get("title", m.line)
    body = m.get("body")
    if kind == "statement" and isinstance(body, Sequence) and len(body) == len(topic.body):
        shown = sorted(range(len(topic.body)), key=lambda i: TIERS.index(topic.body[i].tier))
        item = body[shown[statement_number(text, index) - 1]]
        return item.lines.get("text", item.line) if isinstance(item, Mapping) else body.line
    return m.lines.get("body", m.line)


def record_approval(
    root: Path, knowledge: Knowledge, topic_id: str, by: str, note: str = "", today: dt.date | None = None
) -> Approval:
    """Approve a topic's current text: write its record to approvals.yaml and return it."""
    topic = knowledge.topics[topic_id]
    text = approved_text(topic, knowledge.references)
    approval = Approval(
        topic_id, " ".join(by.split()), today or dt.date.today(), " ".join(note.split()), fingerprint(text), text
    )
    path = root / APPROVALS_FILE
    records: dict[str, Any] = {}
    if path.is_file():
        records = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entry: dict[str, Any] = {"by": approval.by, "date": approval.date}
    if approval.note:
        entry["note"] = approval.note
    entry |= {"fingerprint": approval.fingerprint, "text": list(text)}
    records[topic_id] = entry
    body = yaml.safe_dump(dict(sorted(records.items())), sort_keys=False, allow_unicode=True, width=10_000)
    # Write beside, then rename: a reader (the running bot) never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".approvals-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(HEADER + body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return approval
