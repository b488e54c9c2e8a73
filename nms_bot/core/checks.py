"""Checks on one YAML file's fields, each problem reported as `file:line: message`."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .yamlfile import Mapping, Sequence, read_yaml


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


def did_you_mean(name: str, known: Iterable[str], otherwise: str = "") -> str:
    """ " (did you mean 'x'?)" for the closest of `known`, else `otherwise`."""
    guess = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean '{guess[0]}'?)" if guess else otherwise


def display(path: Path) -> str:
    """As the user named it (relative stays relative): no surprising `../../` paths."""
    return str(path)


def unreadable(folder: Path, what: str = "folder") -> str | None:
    """Why a folder cannot be listed, or None (glob would silently find nothing)."""
    try:
        os.listdir(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read the {what}: {exc.strerror or type(exc).__name__}"
    return None


class SourceFile:
    """Type checks for one YAML file, collecting problems with their lines."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.name = display(path)
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
        self.error(line, f"{what} must be a mapping of 'name: value' lines, found {kind(value)}")
        return None

    def section(self, m: Mapping, name: str) -> Mapping | None:
        """The mapping under `name`, if present (its absence is reported by `fields`)."""
        return self.mapping(m[name], m.lines[name], f"'{name}'") if name in m else None

    def fields(self, m: Mapping, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Report missing and unknown fields (with a 'did you mean'); True if none missing."""
        ok = True
        for name in required:
            if name not in m:
                self.error(m.line, f"missing field '{name}'")
                ok = False
        known = required + optional
        for name in m:
            if name not in known:
                hint = did_you_mean(name, known, f" (known: {', '.join(known)})")
                self.error(m.lines[name], f"unknown field '{name}'{hint}")
        return ok

    # The value checks below stay silent about a missing field: `fields` reports that once.

    def text(self, m: Mapping, name: str, limit: int | None = None) -> str | None:
        if name not in m:
            return None
        value = m[name]
        line = m.lines.get(name, m.line)
        if not isinstance(value, str) or not value.strip():
            self.error(line, f"'{name}' must be non-empty text, found {kind(value)}")
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
            self.error(line, f"'{name}' must be a list, found {kind(value)}")
            return []
        out = []
        for item, item_line in items(value):
            if isinstance(item, str) and item.strip():
                out.append(" ".join(item.split()))
            else:
                self.error(item_line, f"each item of '{name}' must be non-empty text, found {kind(item)}")
        return out

    def date(self, m: Mapping, name: str, today: dt.date) -> dt.date | None:
        if name not in m:
            return None
        value = m[name]
        line = m.lines.get(name, m.line)
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            self.error(line, f"'{name}' must be a date written YYYY-MM-DD, found {kind(value)}")
            return None
        if value > today:
            self.error(line, f"'{name}' {value.isoformat()} is in the future")
        return value


def items(value: Any) -> list[tuple[Any, int]]:
    """(item, line) of a YAML list; nothing for anything else (its type error is reported elsewhere)."""
    return list(zip(value, value.lines, strict=True)) if isinstance(value, Sequence) else []


def kind(value: Any) -> str:
    """How a value reads to an editor: 'a number (12)', 'nothing', a quoted word."""
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
