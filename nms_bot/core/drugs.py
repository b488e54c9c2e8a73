"""Drug names from a maintained dictionary, compiled ahead of time (tools/compile_drugs.py).

The table maps every brand, salt and spelling of the generics in knowledge/drug_classes.yaml, and
the one-word names of other drugs in clinical use, to one generic name. It is read once, on first
use (a few milliseconds), so neither a cold start nor the serving process imports the dictionary.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("drugnames.tsv")


@cache
def drug_names(path: Path = TABLE) -> dict[str, str]:
    """name -> generic, lower-case."""
    names: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and "\t" in line:
                name, generic = line.rstrip("\n").split("\t", 1)
                names[name] = generic
    return names


def names_of(generics: set[str]) -> dict[str, str]:
    """Every name the table has for these generics: name -> generic."""
    return {name: g for name, g in drug_names().items() if g in generics}
