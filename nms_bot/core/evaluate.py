"""Run a question file (the dev set's format) through an engine and score the answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import did_you_mean, items
from .engine import Engine
from .yamlfile import Mapping, Sequence, read_yaml


class QuestionFileError(ValueError):
    """The question file is unreadable or not in the expected format."""


@dataclass(frozen=True)
class Outcome:
    question: str
    expect: tuple[str, ...] | None  # None: the question is out of scope
    kind: str
    status: str
    topic: str | None
    suggestions: tuple[str, ...]
    carried: tuple[str, ...] = ()  # topics whose statements the answer shows besides its own

    @property
    def shown(self) -> tuple[str, ...]:
        """The topics a clinician reads in the answer: its own and any it carries."""
        return (*(() if self.topic is None else (self.topic,)), *self.carried)

    @property
    def in_scope(self) -> bool:
        return self.expect is not None

    @property
    def correct(self) -> bool:
        if self.expect is None:
            return self.status != "answer"
        return self.status == "answer" and any(t in self.expect for t in self.shown)

    @property
    def wrong(self) -> bool:
        """A confident answer with a topic that was not acceptable: the worst outcome."""
        return self.status == "answer" and not self.correct

    @property
    def one_click(self) -> bool:
        """The right topic in one click: answered with it, or offered it as the first suggestion."""
        if self.expect is None:
            return self.correct
        return self.correct or (
            self.status == "suggest" and self.suggestions[:1] != () and self.suggestions[0] in self.expect
        )


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, items: list[Outcome]) -> float:
        return sum(o.correct for o in items) / len(items) if items else 1.0

    @property
    def accuracy(self) -> float:
        return self._share([o for o in self.outcomes if o.in_scope])

    @property
    def one_click(self) -> float:
        return sum(o.one_click for o in self.outcomes if o.in_scope) / max(1, sum(o.in_scope for o in self.outcomes))

    @property
    def rejection(self) -> float:
        return self._share([o for o in self.outcomes if not o.in_scope])

    @property
    def wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.wrong]

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Per kind: questions, answered right (or rightly declined), right in one click, wrong."""
        kinds: dict[str, dict[str, int]] = {}
        for o in self.outcomes:
            k = kinds.setdefault(o.kind or "-", {"questions": 0, "right": 0, "one_click": 0, "wrong": 0})
            k["questions"] += 1
            k["right"] += o.correct
            k["one_click"] += o.one_click
            k["wrong"] += o.wrong
        return dict(sorted(kinds.items()))

    def to_dict(self) -> dict[str, Any]:
        in_scope = [o for o in self.outcomes if o.in_scope]
        return {
            "questions": len(self.outcomes),
            "in_scope": len(in_scope),
            "out_of_scope": len(self.outcomes) - len(in_scope),
            "accuracy": round(self.accuracy, 4),
            "one_click": round(self.one_click, 4),
            "wrong_answers": len(self.wrong),
            # None, not 100%: with no out-of-scope questions nothing was measured
            "rejection": round(self.rejection, 4) if len(in_scope) < len(self.outcomes) else None,
            "by_kind": self.by_kind(),
            "misses": [
                {
                    "q": o.question,
                    "expect": list(o.expect) if o.expect else "none",
                    "kind": o.kind,
                    "status": o.status,
                    "topic": o.topic,
                    "carried": list(o.carried),
                    "suggestions": list(o.suggestions),
                }
                for o in self.misses
            ],
        }


def load_questions(path: str | Path, topic_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Read a question file and check every item first; raise QuestionFileError with one
    `file:line: message` per problem (an `expect` naming no topic, or one `topic_ids` lacks)."""
    name = str(path)
    try:
        data, yaml_problems = read_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{name}: cannot read: {exc}") from None
    problems = [f"{name}:{p.line}: {p.message}" for p in yaml_problems]
    if data is None and problems:
        raise QuestionFileError("\n".join(problems))
    if not isinstance(data, Sequence):
        raise QuestionFileError(f"{name}:1: expected a list of {{q, expect}} items")
    known = set(topic_ids) if topic_ids is not None else None
    kept: list[dict[str, Any]] = []
    for item, line in items(data):
        where = f"{name}:{line}"
        if not isinstance(item, Mapping) or not isinstance(item.get("q"), str) or not item["q"].strip():
            problems.append(f"{where}: each item needs q (the question as typed) and expect")
            continue
        expect = item.get("expect")
        where = f"{name}:{item.lines.get('expect', line)}"
        if expect == "none":
            kept.append(dict(item))
            continue
        ids = expect if isinstance(expect, Sequence) else None
        if not ids or not all(isinstance(t, str) and t.strip() for t in ids):
            problems.append(
                f"{where}: expect must name topic ids (e.g. [dantrolene]), or be none for a question the bot "
                f"must not answer; found {expect!r}"
            )
            continue
        unknown = [t for t in ids if known is not None and t not in known]
        for tid in unknown:
            hint = did_you_mean(tid, known or (), " (nms-bot topics lists them)")
            problems.append(f"{where}: expect names no topic '{tid}'{hint}")
        if not unknown:
            kept.append(dict(item))
    if problems:
        raise QuestionFileError("\n".join(problems))
    return kept


def evaluate(engine: Engine, items: list[dict[str, Any]]) -> Report:
    """Ask every question as the bot would; an answer counts as right when it shows an expected
    topic, itself or as the statement it leads with (safety.yaml's carry rules)."""
    report = Report()
    for item in items:
        expect = None if item["expect"] == "none" else tuple(item["expect"])
        a = engine.ask(item["q"])
        report.outcomes.append(
            Outcome(
                item["q"],
                expect,
                str(item.get("kind", "")),
                a.status,
                a.topic.id if a.topic else None,
                tuple(t.id for t, _ in a.suggestions),
                (*a.carried, *(t.id for t in a.joined)),
            )
        )
    return report
