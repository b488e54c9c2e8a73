"""references.yaml: every reference a topic may cite, with the number the source gives it."""

from __future__ import annotations

import re

from .checks import SourceFile, items, kind
from .model import Reference
from .yamlfile import Sequence

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = re.compile(r"^https?://[^\s<>|]+$")


def read_references(f: SourceFile) -> tuple[dict[str, Reference], dict[str, tuple[SourceFile, int]], bool]:
    """References, the line of each key, and whether the file could be read as a list."""
    refs: dict[str, Reference] = {}
    lines: dict[str, tuple[SourceFile, int]] = {}
    if not f.ok:
        return refs, lines, False
    if not isinstance(f.data, Sequence):
        f.error(1, f"references.yaml must be a list of references, found {kind(f.data)}")
        return refs, lines, False
    for item, line in items(f.data):
        m = f.mapping(item, line, "a reference")
        if m is None or not f.fields(m, ("key", "text"), ("url", "n")):
            continue
        key, text = m.get("key"), f.text(m, "text")
        if not isinstance(key, str) or not ID_RE.match(key):
            f.error(m.lines["key"], f"reference key must be lower-case words joined by '-', found {kind(key)}")
            continue
        if key in refs:
            first = lines[key][1]
            f.error(m.lines["key"], f"duplicate reference key '{key}' (first on line {first})")
            continue
        url = m.get("url")
        if url is not None and (not isinstance(url, str) or not URL_RE.match(url)):
            f.error(m.lines["url"], f"'url' must be a web address starting with https://, found {kind(url)}")
            url = None
        n = m.get("n")
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            f.error(m.lines["n"], f"'n' must be the source's reference number (1, 2, ...), found {kind(n)}")
            n = None
        elif n is not None and (twin := next((r.key for r in refs.values() if r.n == n), None)):
            f.error(m.lines["n"], f"reference number {n} is already used by '{twin}'")
            n = None
        if text:
            refs[key] = Reference(key, text, url, n)
            lines[key] = (f, m.lines["key"])
    return refs, lines, True
