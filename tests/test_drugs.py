"""Drug names come from a maintained dictionary: brands nobody listed by hand are read, a drug
outside the source's classes is recognised, and the compiled tables match the dictionary."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from nms_bot.core.engine import Engine
from nms_bot.core.loader import validate_knowledge
from nms_bot.core.render import to_text

ROOT = Path(__file__).resolve().parents[1]


def test_a_brand_no_editor_listed_reaches_its_class_and_the_note_names_its_generic(engine: Engine):
    # Neither "neupro" nor "lybalvi" stands anywhere in knowledge/: only their generics do.
    assert "neupro" not in (ROOT / "knowledge").joinpath("drug_classes.yaml").read_text().lower()
    answer = engine.ask("any role for neupro in nms?")
    assert answer.topic.id == "bromocriptine"
    assert "The source does not name neupro (rotigotine) specifically" in answer.notes[0]
    assert "bromocriptine and other dopaminergic drugs" in answer.notes[0]
    answer = engine.ask("pt on lybalvi now febrile and rigid with nms, keep it going?")
    assert answer.topic.id == "stop-antipsychotic"
    assert "lybalvi (olanzapine)" in answer.notes[0]


def test_a_dopamine_blocking_antiemetic_is_read_as_the_initiating_agent(engine: Engine):
    answer = engine.ask("compazine caused this nms? keep giving it?")
    assert answer.topic.id == "stop-antipsychotic"
    assert to_text(answer).splitlines()[1].startswith("Note: The source does not name compazine (prochlorperazine)")


def test_a_name_listed_by_hand_under_a_class_is_noted_as_that_class(engine: Engine):
    # "versed" is not in the dictionary; synonyms.yaml lists it under benzodiazepine.
    answer = engine.ask("versed drip for agitation NMS?")
    assert answer.topic.id == "benzodiazepines"
    assert (
        "The source does not name versed specifically: what is shown is what it says of benzodiazepines."
        in answer.notes
    )


def test_a_drug_outside_the_sources_classes_is_declined_without_nms_and_noted_with_it(engine: Engine):
    declined = engine.ask("labs to follow on depakote")
    assert declined.topic is None and declined.scope == ("other_drugs", "depakote (valproic acid)")
    assert "a question about depakote (valproic acid); I only cover the treatment of NMS" in to_text(declined)
    answered = engine.ask("precedex instead of benzos for the agitation in nms?")
    assert answered.topic.id == "benzodiazepines"
    assert "The source does not cover precedex (dexmedetomidine): nothing here is specific to it." in answered.notes
    # A drug the vocabulary holds only as part of another condition ("lithium toxicity") is still one.
    assert (
        "The source does not cover lithium: nothing here is specific to it."
        in engine.ask("lithium - continue during NMS?").notes
    )


def test_drug_classes_mistakes_are_reported_with_file_and_line(kb: Path):
    f = kb / "drug_classes.yaml"
    original = f.read_text()

    def errors_after(old: str, new: str) -> tuple[list[str], list[str]]:
        text = original.replace(old, new, 1)
        f.write_text(text)
        return [str(p) for p in validate_knowledge(kb)[1] if p.severity == "error"], text.splitlines()

    messages, lines = errors_after("benzodiazepine:\n", "benzodiazepines:\n")
    line = lines.index("benzodiazepines:") + 1
    assert any(m.startswith(f"{f}:{line}: 'benzodiazepines' is not a key of synonyms.yaml") for m in messages), messages
    messages, lines = errors_after("generics: [benztropine,", "generics: [lorazepam, benztropine,")
    line = next(n for n, text in enumerate(lines, 1) if "[lorazepam, benztropine" in text)
    expected = f"{f}:{line}: 'lorazepam' is listed under both 'benzodiazepine' and 'anticholinergic'"
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.skipif(
    importlib.util.find_spec("drug_named_entity_recognition") is None,
    reason="drug-named-entity-recognition is not installed (pip install '.[test]')",
)
def _compiles_what_is_committed(tool: str, outputs: dict[str, str], tmp_path: Path, monkeypatch) -> None:
    """Run tools/<tool>.py with each output setting (name -> file in nms_bot/core) pointed into
    tmp_path, and check that it writes exactly the committed files."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        module = importlib.import_module(tool)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    for setting, name in outputs.items():
        monkeypatch.setattr(module, setting, tmp_path / name)
    assert module.main() == 0
    for name in outputs.values():
        committed = (ROOT / "nms_bot" / "core" / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, f"{name}: run python tools/{tool}.py"


def test_the_compiled_drug_tables_are_what_the_dictionary_gives_today(tmp_path: Path, monkeypatch):
    """Nobody edits drugnames.tsv or otherdrugs.tsv by hand, and they never go stale."""
    outputs = {"CLASS_OUT": "drugnames.tsv", "OTHER_OUT": "otherdrugs.tsv"}
    _compiles_what_is_committed("compile_drugs", outputs, tmp_path, monkeypatch)


def test_the_compiled_english_words_are_what_wordfreq_gives_today(tmp_path: Path, monkeypatch):
    """Nobody edits englishwords.txt by hand, and it never goes stale."""
    _compiles_what_is_committed("compile_words", {"OUT": "englishwords.txt"}, tmp_path, monkeypatch)
