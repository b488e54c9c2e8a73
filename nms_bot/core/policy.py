"""The editorial policy (knowledge/policy.yaml): read and check it (`file:line` messages), and
fill in the figures it takes from the rest of the knowledge base, so it cannot drift from them."""

from __future__ import annotations

import re

from .checks import SourceFile, items, kind
from .model import Knowledge, Policy

POLICY_FILE = "policy.yaml"
TITLE_LIMIT = 150  # a Slack header
TEXT_LIMIT = 1500  # a part of the policy; the whole must fit App Home with everything else
# The figures a policy's text may name by placeholder, filled in from the knowledge base.
PLACEHOLDERS = ("review_interval_days",)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def read_policy(f: SourceFile) -> Policy | None:
    """The policy in `f`, or None (every problem reported with its line)."""
    m = f.mapping(f.data, 1, "policy.yaml") if f.ok else None
    if m is None or not f.fields(m, ("title", "sections")):
        return None
    title = f.text(m, "title", TITLE_LIMIT)
    value = m["sections"]
    if not isinstance(value, list) or not value:
        f.error(m.lines["sections"], f"'sections' must be a list, each with heading and text, found {kind(value)}")
        return None
    sections: list[tuple[str, str]] = []
    for item, line in items(value):
        s = f.mapping(item, line, "a section")
        if s is None or not f.fields(s, ("heading", "text")):
            continue
        heading, text = f.text(s, "heading", TITLE_LIMIT), f.text(s, "text", TEXT_LIMIT)
        for name in PLACEHOLDER.findall(text or ""):
            if name not in PLACEHOLDERS:
                f.error(
                    s.lines["text"],
                    f"unknown placeholder {{{name}}}: the policy may name only {', '.join(PLACEHOLDERS)} "
                    "(in braces), filled in from meta.yaml",
                )
                text = None
        if heading and text:
            sections.append((heading, text))
    if title is None or len(sections) < len(value):
        return None
    return Policy(title, tuple(sections))


def policy_sections(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(heading, text) of each part of the policy, its placeholders filled in; [] without one."""
    if knowledge.policy is None:
        return []
    figures = {"review_interval_days": str(knowledge.review_interval_days)}
    return [(h, PLACEHOLDER.sub(lambda m: figures[m.group(1)], t)) for h, t in knowledge.policy.sections]


def policy_text(knowledge: Knowledge) -> str:
    """The policy as plain text (the command line), or a line saying there is none."""
    if knowledge.policy is None:
        return f"No editorial policy is kept in this knowledge base ({POLICY_FILE})."
    parts = [knowledge.policy.title]
    for heading, text in policy_sections(knowledge):
        parts += ["", f"{heading}:", text.replace("`", "").replace("*", "")]
    return "\n".join(parts)
