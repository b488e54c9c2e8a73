"""Text for a terminal: lines wrapped at word boundaries to its width, URLs kept whole."""

from __future__ import annotations

import os
import re
import sys
import textwrap

# What a wrapped line's continuation lines are indented under: leading spaces, then a bullet,
# a citation number, a "Note:" or "  id:" label.
HANG = re.compile(r"^(\s*)(\u2022 |\[\d+\] |- |\d+\. |Note: |[a-z0-9-]+: )?")


def width() -> int | None:
    """`COLUMNS` when set, else the terminal's width; None when stdout is no terminal (a pipe or
    file gets whole lines, as scripts expect)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else None
    except (OSError, ValueError):
        return None


def wrap(text: str, columns: int | None) -> str:
    """Each line of `text` wrapped to `columns` (None: as it is), at spaces only: a URL or a long
    word runs past the edge rather than being broken."""
    if not columns:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= columns:
            out.append(line)
            continue
        m = HANG.match(line)
        hang = " " * len(m.group(0)) if m and len(m.group(0)) < columns // 2 else m.group(1) if m else ""
        out.append(
            textwrap.fill(
                line,
                columns,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
                drop_whitespace=True,
            )
        )
    return "\n".join(out)


def echo(text: str = "", file: object = None) -> None:
    """print() wrapped to the terminal's width."""
    print(wrap(text, width()), file=file)  # type: ignore[call-overload]
