"""The house rules on imports, read from the source: no circle between nms_bot modules, and no
import from a lower layer to a higher one (core < storage < slack < cli; inside slack, the floors
below). Imports inside functions count too: a lazy import is still an arrow."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nms_bot"

# Lowest first. A module may import its own layer or any layer below it.
LAYERS = ["core", "storage", "slack", "cli"]
# nms_bot/slack/ by floor, lowest first; one floor may hold sub-packages side by side that do not
# import each other (delivering answers, and workspaces).
SLACK_FLOORS: list[tuple[str, ...]] = [
    ("blocks",),
    ("common",),
    ("delivery", "workspaces"),
    ("listeners",),
    ("app",),
    ("serve",),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The nms_bot modules `name` imports, anywhere in the file (`from x import y` counts as x.y
    when x.y is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known}
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def test_the_graph_is_read() -> None:
    # A parser that finds nothing would pass every rule below.
    edges = graph()
    assert "nms_bot.storage.store" in edges["nms_bot.slack.delivery.services"]
    assert "nms_bot.core.engine" in edges["nms_bot.slack.delivery.services"]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def test_no_import_circle() -> None:
    assert cycles(graph()) == []


def test_cycles_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def floor(name: str) -> tuple[int, str] | None:
    """(floor number, sub-package) of a module in nms_bot/slack/, None for nms_bot.slack itself."""
    parts = name.split(".")
    if parts[:2] != ["nms_bot", "slack"] or len(parts) < 3:
        return None
    for n, names in enumerate(SLACK_FLOORS):
        if parts[2] in names:
            return n, parts[2]
    raise AssertionError(f"{name} is on no floor: add its sub-package to SLACK_FLOORS")


def test_no_upward_import() -> None:
    upward = []
    for a, targets in graph().items():
        here = layer(a)
        upward += [f"{a} -> {b}" for b in targets if here is not None and (layer(b) or 0) > here]
    assert upward == []


def test_slack_floors_import_only_below() -> None:
    wrong = []
    for a, targets in graph().items():
        here = floor(a)
        for b in targets:
            there = floor(b)
            if here is None or there is None:
                continue
            if there[0] > here[0] or (there[0] == here[0] and there[1] != here[1]):
                wrong.append(f"{a} -> {b}")
    assert wrong == []


def test_every_slack_module_is_on_a_floor() -> None:
    for name in modules():
        floor(name)  # raises for a module outside every floor
