"""Drug names from a maintained dictionary, compiled ahead of time (tools/compile_drugs.py).

drugnames.tsv maps every brand, salt and spelling of the generics in knowledge/drug_classes.yaml
to its generic; otherdrugs.tsv the one-word names of other drugs. Each is read once, on first use
(the second only when a question holds a word the knowledge base does not know), so neither a
cold start nor the serving process imports the dictionary itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def _table(name: str) -> dict[str, str]:
    names: dict[str, str] = {}
    with (HERE / name).open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and "\t" in line:
                drug, generic = line.rstrip("\n").split("\t", 1)
                names[drug] = generic
    return names


def names_of(generics: set[str]) -> dict[str, str]:
    """Every name the dictionary has for these generics (drug_classes.yaml's): name -> generic."""
    return {name: g for name, g in _table("drugnames.tsv").items() if g in generics}


def known_generics() -> set[str]:
    """The generics drugnames.tsv holds names for."""
    return set(_table("drugnames.tsv").values())


def other_drug(word: str) -> str | None:
    """The generic a word names, if it is a drug outside drug_classes.yaml."""
    return _table("otherdrugs.tsv").get(word)


def is_drug_name(name: str) -> bool:
    """Whether the dictionary knows `name` as a name of one of drug_classes.yaml's generics."""
    return name in _table("drugnames.tsv")
