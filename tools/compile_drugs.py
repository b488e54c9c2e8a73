"""Compile the drug names nms-bot reads from a maintained dictionary, ahead of time.

The dictionary is the `drug-named-entity-recognition` package (MIT licence, Fast Data Science):
brand names, spellings and misspellings mapped to one generic name. Importing it takes about
1.5 s, too slow for a 150 ms cold start, so this script writes what the bot needs, one
`name<TAB>generic` line each, to two files in nms_bot/core/:

- drugnames.tsv: every name of every generic knowledge/drug_classes.yaml lists (brands, salts,
  misspellings), read with the knowledge;
- otherdrugs.tsv: every one-word name of the other drugs (those with a DrugBank, MedlinePlus or
  NHS record), read only when a question holds a word the knowledge base does not know, so that
  a drug the source does not name is recognised as a drug.

Run it after editing drug_classes.yaml or upgrading the dictionary; a test fails while the
committed files differ from what this script writes:

    pip install drug-named-entity-recognition && python tools/compile_drugs.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ROOT / "knowledge" / "drug_classes.yaml"
CLASS_OUT = ROOT / "nms_bot" / "core" / "drugnames.tsv"
OTHER_OUT = ROOT / "nms_bot" / "core" / "otherdrugs.tsv"
ONE_WORD = re.compile(r"[a-z][a-z-]{3,}")
PHRASE = re.compile(r"[a-z][a-z -]{3,}")  # no digits or commas ("edisylate salt, prochlorperazine")
HEADER = "# Compiled by tools/compile_drugs.py from drug-named-entity-recognition {version}: do not edit.\n"


def listed_generics(path: Path = CLASSES) -> set[str]:
    """Every generic name drug_classes.yaml lists."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {g.lower() for groups in data.values() for group in groups for g in group.get("generics", ())}


def compile_tables(
    variants: dict[str, list[str]], canonical: dict[str, dict], generics: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(names of the listed generics, one-word names of other drugs): a name is a listed generic's
    when its dictionary entry is that generic or a form of it ("olanzapine pamoate", "rotigotine
    patch")."""

    def ours(name: str) -> str | None:
        return next((g for g in generics if name == g or name.startswith(g + " ")), None)

    listed: dict[str, str] = {}
    other: dict[str, str] = {}
    for name, targets in sorted(variants.items()):
        if (generic := ours(targets[0])) is not None:
            if PHRASE.fullmatch(name):
                listed[name] = generic
            continue
        data = canonical.get(targets[0], {})
        if ONE_WORD.fullmatch(name) and any(key in data for key in ("medline_plus_id", "nhs_url", "drugbank_id")):
            other[name] = targets[0]
    return listed, other


def main() -> int:
    from importlib.metadata import version

    import drug_named_entity_recognition.drugs_finder as finder

    table = finder.d
    tables = compile_tables(table["drug_variant_to_canonical"], table["drug_canonical_to_data"], listed_generics())
    header = HEADER.format(version=version("drug-named-entity-recognition"))
    for out, names in zip((CLASS_OUT, OTHER_OUT), tables, strict=True):
        out.write_text(header + "".join(f"{n}\t{g}\n" for n, g in names.items()), encoding="utf-8")
        print(f"{out.name}: {len(names)} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
