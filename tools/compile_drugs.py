"""Compile the drug names nms-bot reads from a maintained dictionary, ahead of time.

The dictionary is the `drug-named-entity-recognition` package (MIT licence, Fast Data Science):
brand names, spellings and misspellings mapped to one generic name. Importing it takes about
1.5 s, too slow for a 150 ms cold start, so this script writes what the bot needs to
nms_bot/core/drugnames.tsv, one `name<TAB>generic` line each:

- every name of every generic that knowledge/drug_classes.yaml lists (brands, salts, misspellings);
- every one-word name of the other drugs in clinical use (those with a MedlinePlus or NHS page),
  so that a drug the source does not name is recognised as a drug.

Run it after editing drug_classes.yaml or upgrading the dictionary; a test fails while the
committed file differs from what this script writes:

    pip install drug-named-entity-recognition && python tools/compile_drugs.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ROOT / "knowledge" / "drug_classes.yaml"
OUT = ROOT / "nms_bot" / "core" / "drugnames.tsv"
ONE_WORD = re.compile(r"[a-z][a-z-]{3,}")
PHRASE = re.compile(r"[a-z][a-z -]{3,}")  # no digits or commas ("edisylate salt, prochlorperazine")
HEADER = (
    "# Compiled by tools/compile_drugs.py from drug-named-entity-recognition {version}: do not edit.\n"
    "# name<TAB>generic; the generics of knowledge/drug_classes.yaml with all their names, then the\n"
    "# one-word names of other drugs in clinical use.\n"
)


def listed_generics(path: Path = CLASSES) -> set[str]:
    """Every generic name drug_classes.yaml lists."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {g.lower() for groups in data.values() for group in groups for g in group.get("generics", ())}


def compile_table(variants: dict[str, list[str]], canonical: dict[str, dict], generics: set[str]) -> list[str]:
    """The table's lines: a name maps to a listed generic when its dictionary entry is that generic
    or a form of it ("olanzapine pamoate", "rotigotine patch")."""

    def ours(name: str) -> str | None:
        return next((g for g in generics if name == g or name.startswith(g + " ")), None)

    lines: dict[str, str] = {}
    for name, targets in sorted(variants.items()):
        if PHRASE.fullmatch(name) and (generic := ours(targets[0])) is not None:
            lines[name] = generic
    for name, targets in sorted(variants.items()):
        data = canonical.get(targets[0], {})
        clinical = "medline_plus_id" in data or "nhs_url" in data
        if name not in lines and clinical and ONE_WORD.fullmatch(name):
            lines[name] = targets[0]
    return [f"{name}\t{generic}\n" for name, generic in lines.items()]


def main() -> int:
    from importlib.metadata import version

    import drug_named_entity_recognition.drugs_finder as finder

    table = finder.d
    lines = compile_table(table["drug_variant_to_canonical"], table["drug_canonical_to_data"], listed_generics())
    text = HEADER.format(version=version("drug-named-entity-recognition")) + "".join(lines)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(lines)} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
