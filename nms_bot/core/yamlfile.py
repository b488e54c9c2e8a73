"""Read YAML keeping the line of every value, so editors get `file:line` messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()


class Mapping(dict):
    """A YAML mapping; `line` is where it starts, `lines[key]` where each key is."""

    line: int = 0
    lines: dict[str, int]


class Sequence(list):
    """A YAML sequence; `line` is where it starts, `lines[i]` where each item is."""

    line: int = 0
    lines: list[int]


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


def read_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document; return the value and problems (syntax, duplicate keys)."""
    problems: list[YamlProblem] = []
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if exc.context == "while scanning a quoted scalar" and exc.context_mark:
            # YAML notices only where the text ends; the editor needs where the quote opened
            line = exc.context_mark.line + 1
            return None, [YamlProblem(line, "invalid YAML: a quoted text starting on this line is never closed")]
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = exc.problem or exc.context or "invalid YAML"
        if opened := _open_quote(text, line):
            return None, [
                YamlProblem(
                    opened,
                    f"invalid YAML: a quoted text starting on this line runs on to line {line}, where YAML "
                    f"found an error ({reason}): is its closing quote missing?",
                )
            ]
        return None, [YamlProblem(line, f"invalid YAML: {reason}")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(1, f"invalid YAML: {exc}")]
    if node is None:
        return None, problems
    return _convert(node, problems), problems


def _open_quote(text: str, error_line: int) -> int | None:
    """The line where a quoted text opens that ran on over several lines up to `error_line`: a
    missing closing quote swallows the lines after it, and YAML complains only where that ends."""
    opened = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            start, end = token.start_mark.line + 1, token.end_mark.line + 1
            if start > error_line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") and start < end:
                opened = start if end >= error_line - 1 else None
    except yaml.YAMLError:
        pass  # the tokens up to the error are what matter
    return opened


def _convert(node: yaml.Node, problems: list[YamlProblem]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Mapping()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node, problems)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(YamlProblem(key_line, "a key must be plain text"))
                continue
            key = str(key)
            if key in out:
                problems.append(YamlProblem(key_line, f"duplicate key '{key}' (first on line {out.lines[key]})"))
                continue
            out[key] = _convert(value_node, problems)
            out.lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = Sequence(_convert(item, problems) for item in node.value)
        seq.line, seq.lines = line, [item.start_mark.line + 1 for item in node.value]
        return seq
    try:
        return _constructor.construct_object(node)
    except (yaml.constructor.ConstructorError, ValueError):
        return node.value  # e.g. a date like 2025-13-01: the field's own check explains it
