"""Load and validate a knowledge directory; every problem is reported as `file:line: message`.

Reading one file's fields is `checks`; the vocabulary files are `vocabulary`; checks across
files (related ids, unused references, vocabulary conflicts, safety rules) are `crosscheck`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .approvals import APPROVALS_FILE, attach_approvals, check_interval, check_owners, read_approvals
from .checks import KnowledgeError, Problem, SourceFile, did_you_mean, display, items, kind, unreadable
from .crosscheck import check_topics, check_vocabulary
from .model import (
    DEFAULT_REVIEW_INTERVAL_DAYS,
    REVIEW_STATES,
    TIERS,
    Approval,
    Bullet,
    Disclaimer,
    Knowledge,
    Reference,
    Source,
    Topic,
)
from .paths import default_knowledge_path
from .policy import POLICY_FILE, read_policy
from .references import ID_RE, read_references
from .vocabulary import (
    read_abbreviations,
    read_context,
    read_drug_classes,
    read_safety,
    read_scope,
    read_settings,
    read_synonyms,
)
from .yamlfile import Mapping, Sequence

__all__ = ["KnowledgeError", "Problem", "default_knowledge_path", "load_knowledge", "validate_knowledge"]

SECTION_LIMIT = 3000  # Slack's limit for one section block's text
TITLE_LIMIT = 150  # Slack's limit for a header block
MIN_QUESTIONS = 5
VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")
ABBREVIATIONS_FILE = "abbreviations.yaml"


def load_knowledge(path: str | Path | None = None, *, today: dt.date | None = None) -> Knowledge:
    """Load a knowledge directory; raise KnowledgeError listing every error."""
    knowledge, problems = validate_knowledge(path, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if errors or knowledge is None:
        raise KnowledgeError(errors)
    return knowledge


def validate_knowledge(
    path: str | Path | None = None,
    *,
    today: dt.date | None = None,
    max_age_days: int = 365,
) -> tuple[Knowledge | None, list[Problem]]:
    """Check a knowledge directory; return the knowledge (None on errors) and all problems."""
    return _Validator(Path(path) if path else default_knowledge_path(), today, max_age_days).run()


class _Validator:
    def __init__(self, root: Path, today: dt.date | None, max_age_days: int):
        self.root = root
        self.today = today or dt.date.today()
        self.max_age = max_age_days
        self.problems: list[Problem] = []
        # A topic file that cannot be read may hold the ids others relate to: don't cascade.
        self.unreadable_topics = False
        self.review_interval: int | None = None

    def run(self) -> tuple[Knowledge | None, list[Problem]]:
        try:
            why = None if self.root.is_dir() else "knowledge directory not found"
            if self.root.is_file():
                why = "is a file, not a knowledge directory: give the folder that holds meta.yaml and topics/"
        except OSError as exc:  # e.g. a parent folder this user may not enter
            why = f"cannot read the knowledge directory: {exc.strerror or type(exc).__name__}"
        why = why or unreadable(self.root, "knowledge directory")
        if why:
            self.problems.append(Problem(display(self.root), 0, why))
            return None, self.problems
        meta = self._meta()
        references, ref_lines, refs_readable = read_references(self._file("references.yaml"))
        names = ("synonyms", "drug_classes", "context", "scope", "safety")
        vocabulary = {name: self._file(f"{name}.yaml") for name in names}
        synonyms, filler, members = read_synonyms(vocabulary["synonyms"])
        settings = read_settings(vocabulary["synonyms"], synonyms)
        drug_notes = read_drug_classes(vocabulary["drug_classes"], synonyms, members)
        context = read_context(vocabulary["context"])
        scope = read_scope(vocabulary["scope"])
        safety, carry_lines = read_safety(vocabulary["safety"])
        # With references.yaml unreadable, every citation would look unknown: don't cascade.
        topics, declared = self._topics(set(references) if refs_readable else None)
        check_topics(topics, declared, references, ref_lines, self.unreadable_topics, safety)
        check_vocabulary(vocabulary, topics, synonyms, scope, safety, carry_lines)
        topics, approvals = self._approvals(topics, None if self.unreadable_topics else declared, references)
        # Optional: without it, answers "with abbreviations spelled out" read as written.
        abbreviations = read_abbreviations(self._file(ABBREVIATIONS_FILE)) if self._has(ABBREVIATIONS_FILE) else {}
        policy = read_policy(self._file(POLICY_FILE)) if (self.root / POLICY_FILE).is_file() else None
        if meta is None or any(p.severity == "error" for p in self.problems):
            return None, self.problems
        version, source, disclaimer = meta
        knowledge = Knowledge(
            version=version,
            source=source,
            disclaimer=disclaimer,
            topics={t.id: t for t, _ in topics},
            references=references,
            synonyms=synonyms,
            filler=frozenset(filler),
            scope=scope,
            context=context,
            members=members,
            settings=settings,
            drug_notes=drug_notes,
            safety=safety,
            review_interval_days=self.review_interval or DEFAULT_REVIEW_INTERVAL_DAYS,
            approvals=approvals,
            abbreviations=abbreviations,
            policy=policy,
        )
        return knowledge, self.problems

    def _has(self, name: str) -> bool:
        return (self.root / name).is_file()

    def _file(self, name: str) -> SourceFile:
        return SourceFile(self.root / name, self.problems)

    def _meta(self) -> tuple[str, Source, Disclaimer] | None:
        f = self._file("meta.yaml")
        m = f.mapping(f.data, 1, "meta.yaml") if f.ok else None
        if m is None:
            return None
        f.fields(m, ("version", "source", "disclaimer"), ("review_interval_days",))
        self.review_interval = check_interval(f, m)
        version = m.get("version")
        if "version" in m and (not isinstance(version, str) or not VERSION_RE.match(version)):
            f.error(m.lines["version"], f"'version' must look like 2025-07-01.1, found {kind(version)}")
        src, dis = f.section(m, "source"), f.section(m, "disclaimer")
        if src is None or dis is None:
            return None
        f.fields(src, ("title", "publisher", "updated"), ("status",))
        f.fields(dis, ("short", "full"))
        title, publisher = f.text(src, "title"), f.text(src, "publisher")
        updated = f.date(src, "updated", self.today)
        short, full = f.text(dis, "short", 300), f.text(dis, "full", SECTION_LIMIT)
        if None in (title, publisher, updated, short, full) or not isinstance(version, str):
            return None
        status = f.text(src, "status", 200) or ""
        return version, Source(title, publisher, updated, status), Disclaimer(short, full)  # type: ignore[arg-type]

    def _topics(self, ref_keys: set[str] | None) -> tuple[list[tuple[Topic, SourceFile]], set[str]]:
        """Valid topics, and every id declared (so one broken topic does not cascade)."""
        folder = self.root / "topics"
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        declared: set[str] = set()
        if not files:
            self.problems.append(Problem(display(folder), 0, unreadable(folder) or "no topic files (*.yaml) found"))
            return [], declared
        read: list[tuple[Topic, SourceFile, int]] = []
        for path in files:
            f = SourceFile(path, self.problems)
            m = f.mapping(f.data, 1, "a topic file") if f.ok else None
            if m is None:
                self.unreadable_topics = True
                continue
            if isinstance(m.get("id"), str):
                declared.add(m["id"])
            topic = self._topic(f, m, ref_keys)
            if topic is not None:
                read.append((topic, f, m.lines["id"]))
        # Of two files with one id, the one named after it (ect.yaml for 'ect') keeps it, else the
        # first in name order: the other is the copy to fix.
        owner: dict[str, tuple[SourceFile, int]] = {}
        for topic, f, line in sorted(read, key=lambda r: Path(r[1].name).stem != r[0].id):
            owner.setdefault(topic.id, (f, line))
        topics: list[tuple[Topic, SourceFile]] = []
        for topic, f, line in read:
            first, first_line = owner[topic.id]
            if first is not f:
                f.error(line, f"duplicate id '{topic.id}' (already the id of {first.name}:{first_line})")
                continue
            topics.append((topic, f))
        return topics, declared

    def _topic(self, f: SourceFile, m: Mapping, ref_keys: set[str] | None) -> Topic | None:
        f.fields(
            m,
            ("id", "title", "questions", "body", "updated", "review"),
            ("keywords", "related", "owners", "review_interval_days"),
        )
        tid = m.get("id")
        if not isinstance(tid, str) or not ID_RE.match(tid):
            f.error(
                m.lines.get("id", m.line),
                f"'id' must be lower-case words joined by '-' (like 'stop-antipsychotic'), found {kind(tid)}",
            )
            return None
        title = f.text(m, "title", TITLE_LIMIT)
        questions = f.texts(m, "questions")
        if "questions" in m and len(questions) < MIN_QUESTIONS:
            f.error(
                m.lines["questions"],
                f"'questions' has {len(questions)}, at least {MIN_QUESTIONS} are needed: "
                "add ways a clinician would ask",
            )
        keywords = f.texts(m, "keywords")
        related = f.texts(m, "related")
        updated = f.date(m, "updated", self.today)
        if updated and (self.today - updated).days > self.max_age:
            f.warn(
                m.lines["updated"],
                f"topic '{tid}' was last updated {updated.isoformat()}, more than {self.max_age} days ago: review it",
            )
        review = m.get("review")
        if review == "approved":
            f.error(
                m.lines["review"],
                "'review: approved' is no longer a sign-off: write 'under-review' here and "
                f"record the approval with `nms-bot review approve {tid} --by NAME` (knowledge/README.md)",
            )
        elif review not in REVIEW_STATES:
            f.error(
                m.lines.get("review", m.line),
                f"'review' must be one of {', '.join(REVIEW_STATES)}, found {kind(review)}",
            )
        owners, interval = check_owners(f, m), check_interval(f, m)
        body = self._body(f, m, ref_keys)
        if title is None or updated is None or review not in REVIEW_STATES or not body:
            return None
        topic = Topic(
            id=tid,
            title=title,
            questions=tuple(questions),
            keywords=tuple(keywords),
            body=tuple(body),
            related=tuple(related),
            updated=updated,
            review=review,
            owners=owners,
            review_interval_days=interval,
        )
        self._check_length(f, m, topic)
        return topic

    def _body(self, f: SourceFile, m: Mapping, ref_keys: set[str] | None) -> list[Bullet]:
        value = m.get("body")
        if "body" not in m:
            return []
        if not isinstance(value, Sequence) or not value:
            f.error(m.lines["body"], "'body' must be a list of statements, each with tier, text and cite")
            return []
        bullets = []
        for item, line in items(value):
            b = f.mapping(item, line, "a body statement")
            if b is None or not f.fields(b, ("tier", "text", "cite")):
                continue
            tier = b.get("tier")
            if tier not in TIERS:
                f.error(b.lines["tier"], f"'tier' must be one of {', '.join(TIERS)}, found {kind(tier)}")
            text = f.text(b, "text")
            cite = f.texts(b, "cite")
            if not cite and isinstance(b.get("cite"), Sequence):
                f.error(b.lines["cite"], "every statement needs at least one citation")
            for key, key_line in items(b.get("cite")):
                if ref_keys is not None and isinstance(key, str) and key not in ref_keys:
                    hint = did_you_mean(key, ref_keys)
                    f.error(
                        key_line, f"unknown citation key '{key}'{hint}: add it to references.yaml or fix the spelling"
                    )
            if text and cite and tier in TIERS:
                bullets.append(Bullet(text, tier, tuple(cite)))
        return bullets

    def _check_length(self, f: SourceFile, m: Mapping, topic: Topic) -> None:
        from .compose import section_texts  # local import: compose sits above the loader

        for tier, text in section_texts(topic):
            if len(text) > SECTION_LIMIT:
                f.error(
                    m.lines["body"],
                    f"the {tier} part of the body is {len(text)} characters, more than one "
                    f"Slack section holds ({SECTION_LIMIT}): shorten it or split the topic",
                )

    def _approvals(
        self, topics: list[tuple[Topic, SourceFile]], ids: set[str] | None, references: dict[str, Reference]
    ) -> tuple[list[tuple[Topic, SourceFile]], dict[str, Approval]]:
        """Bind approvals.yaml's records to the topics whose text they match (core/approvals.py)."""
        approvals = (
            read_approvals(self._file(APPROVALS_FILE), self.today, ids)
            if (self.root / APPROVALS_FILE).is_file()
            else {}
        )
        return attach_approvals(topics, approvals, references), approvals
