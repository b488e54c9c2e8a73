"""Clinical sign-off: the text a clinician reads, its fingerprint, what changed, review state.

A topic is approved only while a record in approvals.yaml carries the fingerprint of its
current text. The text is what the bot shows for the topic (title, each statement with its
tier and citation numbers, each cited reference's text and link, in the order shown), with
whitespace runs collapsed and Unicode normalised, so reformatting the YAML (quotes, line
wrapping) keeps an approval while any change of wording, tier, citation or reference ends it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import unicodedata
from dataclasses import dataclass

from .compose import number_statements
from .model import Approval, Knowledge, Reference, Topic

FINGERPRINT_PREFIX = "sha256:"
# Review states, in the order `nms-bot review` lists them.
APPROVED, OVERDUE, CHANGED, NEVER = "approved", "overdue", "changed", "never-approved"
STATES = (CHANGED, OVERDUE, NEVER, APPROVED)
STATE_LABELS = {
    APPROVED: "approved",
    OVERDUE: "review overdue",
    CHANGED: "changed since approval",
    NEVER: "never approved",
}


def _normal(line: str) -> str:
    return unicodedata.normalize("NFC", " ".join(line.split()))


def approved_text(topic: Topic, references: dict[str, Reference]) -> tuple[str, ...]:
    """The topic as a clinician reads it, one line per title, statement and reference."""
    statements, numbers = number_statements(topic, references)
    lines = [f"title: {topic.title}"]
    lines += [f"{s.tier}: {s.text} [{','.join(map(str, s.numbers))}]" for s in statements]
    for key, n in numbers.items():
        ref = references.get(key)
        text = ref.text if ref else f"(unknown reference {key})"
        lines.append(f"[{n}] {text}" + (f" <{ref.url}>" if ref and ref.url else ""))
    return tuple(_normal(line) for line in lines)


def fingerprint(text: tuple[str, ...] | list[str]) -> str:
    """sha256 of the text lines: the same text gives the same fingerprint anywhere."""
    return FINGERPRINT_PREFIX + hashlib.sha256("\n".join(text).encode("utf-8")).hexdigest()


def short(fp: str) -> str:
    """The first 12 hex digits, enough to tell versions apart on screen and paper."""
    return fp[: len(FINGERPRINT_PREFIX) + 12]


def topic_fingerprint(topic: Topic, references: dict[str, Reference]) -> str:
    return fingerprint(approved_text(topic, references))


def diff(old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    """Statement-level differences: '- ' approved line, '+ ' current line; equal lines left out."""
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op != "equal":
            out += [f"- {line}" for line in old[i1:i2]] + [f"+ {line}" for line in new[j1:j2]]
    return out


@dataclass(frozen=True)
class Change:
    """One difference, described for an editor; `new_index` is where it is in the current text."""

    what: str
    new_index: int


def line_kind(line: str) -> str:
    """title, statement or reference: which part of the approved text a line is."""
    return "title" if line.startswith("title: ") else "reference" if line.startswith("[") else "statement"


def statement_number(lines: tuple[str, ...], i: int) -> int:
    """1-based position, among the statements as shown, of the statement on line i."""
    return sum(line_kind(x) == "statement" for x in lines[: i + 1])


def changes(old: tuple[str, ...], new: tuple[str, ...]) -> list[Change]:
    """What changed, e.g. 'statement 2 changed', 'reference [3] added', in text order."""

    def name(lines: tuple[str, ...], i: int) -> str:
        kind = line_kind(lines[i])
        if kind == "statement":
            return f"statement {statement_number(lines, i)}"
        return f"reference {lines[i].split(']')[0]}]" if kind == "reference" else "title"

    out: list[Change] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        out += [Change(f"{name(new, j1 + k)} changed", j1 + k) for k in range(paired)]
        out += [Change(f"{name(old, i)} removed", min(j1 + paired, len(new) - 1)) for i in range(i1 + paired, i2)]
        out += [Change(f"{name(new, j)} added", j) for j in range(j1 + paired, j2)]
    return out


@dataclass(frozen=True)
class ReviewStatus:
    """Where one topic stands in clinical review on a given day."""

    topic: Topic
    state: str  # approved | overdue | changed | never-approved
    fingerprint: str
    record: Approval | None  # the approval on file, matching the text or not
    interval_days: int
    due: dt.date | None  # approved and overdue topics: when the next review is due
    diff: tuple[str, ...] = ()

    def days_overdue(self, today: dt.date) -> int:
        """How many days past its due date the review is (0 when not due yet, or never approved)."""
        return max(0, (today - self.due).days) if self.due else 0

    @property
    def pending(self) -> bool:
        """Shown with the caution line and never served with NMS_APPROVED_ONLY=1."""
        return self.state in (CHANGED, NEVER)


def review_status(knowledge: Knowledge, topic: Topic, today: dt.date) -> ReviewStatus:
    text = approved_text(topic, knowledge.references)
    fp = fingerprint(text)
    record = knowledge.approvals.get(topic.id)
    interval = topic.review_interval_days or knowledge.review_interval_days
    if record is None:
        return ReviewStatus(topic, NEVER, fp, None, interval, None)
    if record.fingerprint != fp:
        return ReviewStatus(topic, CHANGED, fp, record, interval, None, tuple(diff(record.text, text)))
    due = record.date + dt.timedelta(days=interval)
    return ReviewStatus(topic, OVERDUE if today > due else APPROVED, fp, record, interval, due)


def review_statuses(knowledge: Knowledge, today: dt.date) -> list[ReviewStatus]:
    """Every topic's status, changed first, then overdue, never approved, approved; by title within
    (as `topics` lists them)."""
    statuses = [review_status(knowledge, t, today) for t in knowledge.topics.values()]
    return sorted(statuses, key=lambda s: (STATES.index(s.state), s.topic.title.lower(), s.topic.id))


def days(n: int) -> str:
    """'1 day', '2 days'."""
    return f"{n} day" if n == 1 else f"{n} days"
