"""Load and validate a knowledge directory; every problem is reported as `file:line: message`."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import (
    REVIEW_STATES,
    TIERS,
    Bullet,
    Disclaimer,
    Knowledge,
    Reference,
    Scope,
    Source,
    Topic,
)
from .yamlfile import Mapping, Sequence, read_yaml

SECTION_LIMIT = 3000  # Slack's limit for one section block's text
TITLE_LIMIT = 150  # Slack's limit for a header block
MIN_QUESTIONS = 5
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.\d+$")
URL_RE = re.compile(r"^https?://[^\s<>|]+$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 0: the problem is the file or folder as a whole
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {prefix}{self.message}"


class KnowledgeError(Exception):
    """The knowledge base has errors; `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def default_knowledge_path() -> Path:
    """`$NMS_KNOWLEDGE`; else `./knowledge` when it holds a knowledge base (editors working in
    the repository, deployments started from it, so live reload sees their edits); else the
    copy installed with the package."""
    env = os.environ.get("NMS_KNOWLEDGE")
    if env:
        return Path(env)
    local = Path("knowledge")
    try:
        if (local / "meta.yaml").is_file():
            return local
    except OSError:  # there, but unreadable: validation says so rather than quietly using another
        return local
    packaged = Path(__file__).resolve().parent.parent / "knowledge"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "knowledge"


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


def _display(path: Path) -> str:
    """As the user named it (relative stays relative): no surprising `../../` paths."""
    return str(path)


def _unreadable(folder: Path, what: str = "folder") -> str | None:
    """Why a folder cannot be listed, or None (glob would silently find nothing)."""
    try:
        os.listdir(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read the {what}: {exc.strerror or type(exc).__name__}"
    return None


class _File:
    """Type checks for one YAML file, collecting problems with their lines."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.name = _display(path)
        self.problems = problems
        self.data: Any = None
        self.ok = False  # False when the file is missing or is not valid YAML
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.error(1, "file is missing")
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.error(1, f"cannot read file: {exc}")
            return
        self.data, yaml_problems = read_yaml(text)
        self.ok = self.data is not None or not yaml_problems
        for p in yaml_problems:
            self.error(p.line, p.message)

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message, "warning"))

    def mapping(self, value: Any, line: int, what: str) -> Mapping | None:
        if isinstance(value, Mapping):
            return value
        self.error(line, f"{what} must be a mapping of 'name: value' lines, found {_kind(value)}")
        return None

    def section(self, m: Mapping, name: str) -> Mapping | None:
        """The mapping under `name`, if present (its absence is reported by `fields`)."""
        return self.mapping(m[name], m.lines[name], f"'{name}'") if name in m else None

    def fields(
        self, m: Mapping, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> bool:
        """Report missing and unknown fields (with a 'did you mean'); True if none missing."""
        ok = True
        for name in required:
            if name not in m:
                self.error(m.line, f"missing field '{name}'")
                ok = False
        known = required + optional
        for name in m:
            if name not in known:
                guess = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else f" (known: {', '.join(known)})"
                self.error(m.lines[name], f"unknown field '{name}'{hint}")
        return ok

    # The value checks below stay silent about a missing field: `fields` reports that once.

    def text(self, m: Mapping, name: str, limit: int | None = None) -> str | None:
        if name not in m:
            return None
        value = m[name]
        line = m.lines.get(name, m.line)
        if not isinstance(value, str) or not value.strip():
            self.error(line, f"'{name}' must be non-empty text, found {_kind(value)}")
            return None
        value = " ".join(value.split())
        if limit and len(value) > limit:
            self.error(line, f"'{name}' is {len(value)} characters, the limit is {limit}")
        return value

    def texts(self, m: Mapping, name: str) -> list[str]:
        if name not in m:
            return []
        value = m[name]
        line = m.lines.get(name, m.line)
        if not isinstance(value, Sequence):
            self.error(line, f"'{name}' must be a list, found {_kind(value)}")
            return []
        out = []
        for item, item_line in _items(value):
            if isinstance(item, str) and item.strip():
                out.append(" ".join(item.split()))
            else:
                self.error(item_line, f"each item of '{name}' must be non-empty text, found {_kind(item)}")
        return out

    def date(self, m: Mapping, name: str, today: dt.date) -> dt.date | None:
        if name not in m:
            return None
        value = m[name]
        line = m.lines.get(name, m.line)
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            self.error(line, f"'{name}' must be a date written YYYY-MM-DD, found {_kind(value)}")
            return None
        if value > today:
            self.error(line, f"'{name}' {value.isoformat()} is in the future")
        return value


def _items(value: Any) -> list[tuple[Any, int]]:
    """(item, line) of a YAML list; nothing for anything else (its type error is reported elsewhere)."""
    return list(zip(value, value.lines, strict=True)) if isinstance(value, Sequence) else []


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value[:40]}'" if value.strip() else "empty text"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (YAML reads yes, no, on, off as true/false: put the word in quotes)"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _Validator:
    def __init__(self, root: Path, today: dt.date | None, max_age_days: int):
        self.root = root
        self.today = today or dt.date.today()
        self.max_age = max_age_days
        self.problems: list[Problem] = []
        # A topic file that cannot be read may hold the ids others relate to: don't cascade.
        self.unreadable_topics = False

    def run(self) -> tuple[Knowledge | None, list[Problem]]:
        try:
            why = None if self.root.is_dir() else "knowledge directory not found"
        except OSError as exc:  # e.g. a parent folder this user may not enter
            why = f"cannot read the knowledge directory: {exc.strerror or type(exc).__name__}"
        why = why or _unreadable(self.root, "knowledge directory")
        if why:
            self.problems.append(Problem(_display(self.root), 0, why))
            return None, self.problems
        meta = self._meta()
        references, ref_lines, refs_readable = self._references()
        synonyms, filler = self._synonyms()
        scope = self._scope()
        # With references.yaml unreadable, every citation would look unknown: don't cascade.
        topics, declared = self._topics(set(references) if refs_readable else None)
        self._cross_check(topics, declared, references, ref_lines)
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
        )
        return knowledge, self.problems

    def _file(self, name: str) -> _File:
        return _File(self.root / name, self.problems)

    def _meta(self) -> tuple[str, Source, Disclaimer] | None:
        f = self._file("meta.yaml")
        m = f.mapping(f.data, 1, "meta.yaml") if f.ok else None
        if m is None:
            return None
        f.fields(m, ("version", "source", "disclaimer"))
        version = m.get("version")
        if "version" in m and (not isinstance(version, str) or not VERSION_RE.match(version)):
            f.error(m.lines["version"], f"'version' must look like 2025-07-01.1, found {_kind(version)}")
        src, dis = f.section(m, "source"), f.section(m, "disclaimer")
        if src is None or dis is None:
            return None
        f.fields(src, ("title", "publisher", "updated"))
        f.fields(dis, ("short", "full"))
        title, publisher = f.text(src, "title"), f.text(src, "publisher")
        updated = f.date(src, "updated", self.today)
        short, full = f.text(dis, "short", 300), f.text(dis, "full", SECTION_LIMIT)
        if None in (title, publisher, updated, short, full) or not isinstance(version, str):
            return None
        return version, Source(title, publisher, updated), Disclaimer(short, full)  # type: ignore[arg-type]

    def _references(self) -> tuple[dict[str, Reference], dict[str, tuple[_File, int]], bool]:
        """References, the line of each key, and whether the file could be read as a list."""
        f = self._file("references.yaml")
        refs: dict[str, Reference] = {}
        lines: dict[str, tuple[_File, int]] = {}
        if not f.ok:
            return refs, lines, False
        if not isinstance(f.data, Sequence):
            f.error(1, f"references.yaml must be a list of references, found {_kind(f.data)}")
            return refs, lines, False
        for item, line in _items(f.data):
            m = f.mapping(item, line, "a reference")
            if m is None or not f.fields(m, ("key", "text"), ("url",)):
                continue
            key, text = m.get("key"), f.text(m, "text")
            if not isinstance(key, str) or not ID_RE.match(key):
                f.error(m.lines["key"], f"reference key must be lower-case words joined by '-', found {_kind(key)}")
                continue
            if key in refs:
                first = lines[key][1]
                f.error(m.lines["key"], f"duplicate reference key '{key}' (first on line {first})")
                continue
            url = m.get("url")
            if url is not None and (not isinstance(url, str) or not URL_RE.match(url)):
                f.error(m.lines["url"], f"'url' must be a web address starting with https://, found {_kind(url)}")
                url = None
            if text:
                refs[key] = Reference(key, text, url)
                lines[key] = (f, m.lines["key"])
        return refs, lines, True

    def _synonyms(self) -> tuple[dict[str, tuple[str, ...]], list[str]]:
        f = self._file("synonyms.yaml")
        m = f.mapping(f.data, 1, "synonyms.yaml") if f.ok else None
        if m is None:
            return {}, []
        f.fields(m, ("synonyms",), ("filler",))
        table = f.section(m, "synonyms")
        synonyms: dict[str, tuple[str, ...]] = {}
        owner: dict[str, str] = {}
        for canonical, variants in (table or {}).items():
            line = table.lines[canonical]  # type: ignore[union-attr]
            items = f.texts(table, canonical)  # type: ignore[arg-type]
            if not items and isinstance(variants, Sequence) and not variants:
                f.error(line, f"synonym '{canonical}' lists no variants")
            kept = []
            for variant in items:
                v = variant.lower()
                if v in owner and owner[v] != canonical:
                    f.error(line, f"'{variant}' is listed under both '{owner[v]}' and '{canonical}'")
                    continue
                owner[v] = canonical
                kept.append(v)
            synonyms[canonical.lower()] = tuple(kept)
        filler = [w.lower() for w in f.texts(m, "filler")]
        return synonyms, filler

    def _scope(self) -> Scope:
        f = self._file("scope.yaml")
        m = f.mapping(f.data, 1, "scope.yaml") if f.ok else None
        if m is None:
            return Scope()
        f.fields(m, ("greetings", "out_of_scope"))
        greetings = tuple(g.lower() for g in f.texts(m, "greetings"))
        table = f.section(m, "out_of_scope")
        categories = {str(k): tuple(t.lower() for t in f.texts(table, k)) for k in (table or {})}
        return Scope(greetings, categories)

    def _topics(self, ref_keys: set[str] | None) -> tuple[list[tuple[Topic, _File]], set[str]]:
        """Valid topics, and every id declared (so one broken topic does not cascade)."""
        folder = self.root / "topics"
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        declared: set[str] = set()
        if not files:
            self.problems.append(Problem(_display(folder), 0, _unreadable(folder) or "no topic files (*.yaml) found"))
            return [], declared
        topics: list[tuple[Topic, _File]] = []
        seen: dict[str, str] = {}
        for path in files:
            f = _File(path, self.problems)
            m = f.mapping(f.data, 1, "a topic file") if f.ok else None
            if m is None:
                self.unreadable_topics = True
                continue
            if isinstance(m.get("id"), str):
                declared.add(m["id"])
            topic = self._topic(f, m, ref_keys)
            if topic is None:
                continue
            if topic.id in seen:
                f.error(m.lines["id"], f"duplicate id '{topic.id}' (first defined in {seen[topic.id]})")
                continue
            seen[topic.id] = f"{f.name}:{m.lines['id']}"
            topics.append((topic, f))
        return topics, declared

    def _topic(self, f: _File, m: Mapping, ref_keys: set[str] | None) -> Topic | None:
        f.fields(
            m,
            ("id", "title", "questions", "body", "updated", "review"),
            ("keywords", "related"),
        )
        tid = m.get("id")
        if not isinstance(tid, str) or not ID_RE.match(tid):
            f.error(m.lines.get("id", m.line),
                    f"'id' must be lower-case words joined by '-' (like 'stop-antipsychotic'), found {_kind(tid)}")
            return None
        title = f.text(m, "title", TITLE_LIMIT)
        questions = f.texts(m, "questions")
        if "questions" in m and len(questions) < MIN_QUESTIONS:
            f.error(m.lines["questions"], f"'questions' has {len(questions)}, at least {MIN_QUESTIONS} are needed: "
                    "add ways a clinician would ask")
        keywords = f.texts(m, "keywords")
        related = f.texts(m, "related")
        updated = f.date(m, "updated", self.today)
        if updated and (self.today - updated).days > self.max_age:
            f.warn(m.lines["updated"], f"topic '{tid}' was last updated {updated.isoformat()}, "
                   f"more than {self.max_age} days ago: review it")
        review = m.get("review")
        if review not in REVIEW_STATES:
            f.error(m.lines.get("review", m.line),
                    f"'review' must be one of {', '.join(REVIEW_STATES)}, found {_kind(review)}")
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
        )
        self._check_length(f, m, topic)
        return topic

    def _body(self, f: _File, m: Mapping, ref_keys: set[str] | None) -> list[Bullet]:
        value = m.get("body")
        if "body" not in m:
            return []
        if not isinstance(value, Sequence) or not value:
            f.error(m.lines["body"], "'body' must be a list of statements, each with tier, text and cite")
            return []
        bullets = []
        for item, line in _items(value):
            b = f.mapping(item, line, "a body statement")
            if b is None or not f.fields(b, ("tier", "text", "cite")):
                continue
            tier = b.get("tier")
            if tier not in TIERS:
                f.error(b.lines["tier"], f"'tier' must be one of {', '.join(TIERS)}, found {_kind(tier)}")
            text = f.text(b, "text")
            cite = f.texts(b, "cite")
            if not cite and isinstance(b.get("cite"), Sequence):
                f.error(b.lines["cite"], "every statement needs at least one citation")
            for key, key_line in _items(b.get("cite")):
                if ref_keys is not None and isinstance(key, str) and key not in ref_keys:
                    guess = difflib.get_close_matches(key, sorted(ref_keys), n=1)
                    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                    f.error(key_line,
                            f"unknown citation key '{key}'{hint}: add it to references.yaml or fix the spelling")
            if text and cite and tier in TIERS:
                bullets.append(Bullet(text, tier, tuple(cite)))
        return bullets

    def _check_length(self, f: _File, m: Mapping, topic: Topic) -> None:
        from .render import section_texts  # local import: render depends on the model only

        for tier, text in section_texts(topic):
            if len(text) > SECTION_LIMIT:
                f.error(m.lines["body"], f"the {tier} part of the body is {len(text)} characters, more than one "
                        f"Slack section holds ({SECTION_LIMIT}): shorten it or split the topic")

    def _cross_check(
        self,
        topics: list[tuple[Topic, _File]],
        ids: set[str],
        references: dict[str, Reference],
        ref_lines: dict[str, tuple[_File, int]],
    ) -> None:
        used: set[str] = set()
        for topic, f in topics:
            used.update(topic.citations)
            for rid, line in _items(f.data.get("related")):
                if rid == topic.id:
                    f.error(line, f"topic '{topic.id}' lists itself as related")
                elif isinstance(rid, str) and rid not in ids and not self.unreadable_topics:
                    guess = difflib.get_close_matches(rid, sorted(ids), n=1)
                    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                    f.error(line, f"unknown related topic '{rid}'{hint}")
        if not topics:
            return
        for key in references:
            if key not in used:
                f, line = ref_lines[key]
                f.error(line, f"reference '{key}' is not cited by any topic: cite it or remove it")
