"""Loading and validating the knowledge base: every mistake an editor can make, with file:line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from nms_bot.core.loader import KnowledgeError, load_knowledge, validate_knowledge

REQUIRED_IDS = {
    "overview",
    "stop-antipsychotic",
    "supportive-care",
    "cooling",
    "fluids",
    "benzodiazepines",
    "pharmacotherapy",
    "dantrolene",
    "bromocriptine",
    "ect",
    "anticoagulation",
    "rechallenge",
    "monitoring",
    "evidence",
}
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def errors(path: Path, **kw) -> list[str]:
    _, problems = validate_knowledge(path, **kw)
    return [str(p) for p in problems if p.severity == "error"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_shipped_knowledge_is_valid_and_complete(kb: Path):
    knowledge, problems = validate_knowledge(kb)
    assert [p for p in problems if p.severity == "error"] == []
    assert knowledge is not None and set(knowledge.topics) >= REQUIRED_IDS
    for topic in knowledge.topics.values():
        assert len(topic.questions) >= 5
        assert all(b.cite for b in topic.body), topic.id


def test_no_pmid_or_doi_beyond_the_verified_ones(kb: Path):
    text = (kb / "references.yaml").read_text()
    assert set(re.findall(r"PMID (\d+)", text)) == {"17222339"}
    assert set(re.findall(r"doi:(\S+?)\.?\s", text)) == {"10.1186/cc5148"}


@pytest.mark.skipif(not SEED.is_dir(), reason="source document not beside the repository")
def test_every_drug_named_in_an_answer_is_named_in_the_source(kb: Path):
    source = " ".join(p.read_text().lower() for p in SEED.glob("*.txt"))
    knowledge = load_knowledge(kb)
    drugs = {
        "dantrolene",
        "bromocriptine",
        "benzodiazepine",
        "anticholinergic",
        "heparin",
        "lorazepam",
        "midazolam",
        "diazepam",
        "enoxaparin",
        "amantadine",
        "haloperidol",
        "olanzapine",
        "apomorphine",
    }
    for topic in knowledge.topics.values():
        for bullet in topic.body:
            named = set(re.findall(r"[a-z]+?(?=s?\b)", bullet.text.lower()))
            for drug in drugs & named:
                assert drug in source, f"{topic.id} names {drug}, which the source does not"
            assert not re.search(r"\d+\s*(mg|mcg|g|ml|units?)\b", bullet.text, re.I), "no doses"


def test_missing_directory(tmp_path: Path):
    assert "knowledge directory not found" in errors(tmp_path / "nope")[0]


def test_bad_yaml_points_at_the_line(kb: Path):
    f = kb / "topics" / "cooling.yaml"
    edit(f, 'title: "Cooling for hyperthermia"', 'title: "Cooling for hyperthermia\n  bad: [')
    [msg] = [e for e in errors(kb) if "cooling.yaml" in e]
    assert re.search(r"cooling\.yaml:\d+: invalid YAML", msg)


def test_missing_field(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, 'title: "Electroconvulsive therapy (ECT)"\n', "")
    assert any(e.endswith("missing field 'title'") and "ect.yaml:1:" in e for e in errors(kb))


def test_mistyped_field_name_suggests_the_right_one(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "related:", "relatd:")
    line = line_of(f, "relatd:")
    assert f"ect.yaml:{line}: unknown field 'relatd' (did you mean 'related'?)" in "\n".join(errors(kb))


def test_wrong_type(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "keywords: [ect, refractory, second line, no response]", "keywords: 12")
    line = line_of(f, "keywords: 12")
    assert any(f"ect.yaml:{line}: 'keywords' must be a list" in e for e in errors(kb))


def test_yes_no_words_are_explained(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "keywords: [ect,", "keywords: [on, ect,")
    assert any("put the word in quotes" in e for e in errors(kb))


def test_duplicate_id_blames_the_copy_and_names_the_original(kb: Path):
    # "aa-copy" sorts before "ect": the file named after the id is the original all the same
    for name in ("copy.yaml", "aa-copy.yaml"):
        (kb / "topics" / name).write_text((kb / "topics" / "ect.yaml").read_text())
        [msg] = [e for e in errors(kb) if "duplicate id 'ect'" in e]
        assert msg.startswith(str(kb / "topics" / name) + ":1: "), msg
        assert msg.endswith(f"(already the id of {kb / 'topics' / 'ect.yaml'}:1)"), msg
        (kb / "topics" / name).unlink()


def test_an_unclosed_quote_is_reported_where_the_text_starts(kb: Path):
    f = kb / "topics" / "ect.yaml"
    lines = f.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = 'title: "Electroconvulsive therapy (ECT)'  # the closing quote is missing
    f.write_text("\n".join(lines) + "\n")
    [msg] = errors(kb)
    assert msg.startswith(f"{f}:{at + 1}: invalid YAML: a quoted text starting on this line runs on to line "), msg
    assert msg.endswith("is its closing quote missing?")
    f.write_text('id: ect\ntitle: "Electroconvulsive therapy\n')  # ...and at the end of a file
    assert errors(kb) == [f"{f}:2: invalid YAML: a quoted text starting on this line is never closed"]


def test_duplicate_key_in_one_file(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "review: under-review", "review: under-review\nreview: approved")
    assert any("duplicate key 'review'" in e for e in errors(kb))


def test_unknown_citation_key(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "cite: [jpma-2014]", "cite: [jpma-2015]")
    line = line_of(f, "cite: [jpma-2015]")
    assert any(
        f"ect.yaml:{line}: unknown citation key 'jpma-2015' (did you mean 'jpma-2014'?)" in e for e in errors(kb)
    )


def test_unknown_related_id(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "related: [evidence,", "related: [evidense,")
    assert any("unknown related topic 'evidense' (did you mean 'evidence'?)" in e for e in errors(kb))


def test_unused_reference(kb: Path):
    f = kb / "references.yaml"
    f.write_text(f.read_text() + '\n- key: unused-2020\n  text: "Something never cited."\n')
    line = line_of(f, "unused-2020")
    assert (
        f"references.yaml:{line}: reference 'unused-2020' is not cited by any topic: cite it or remove it"
        in "\n".join(errors(kb))
    )


def test_empty_and_too_few_questions(kb: Path):
    f = kb / "topics" / "ect.yaml"
    text = f.read_text()
    start, end = text.index("questions:"), text.index("keywords:")
    f.write_text(text[:start] + "questions: []\n" + text[end:])
    assert any("'questions' has 0, at least 5" in e for e in errors(kb))
    f.write_text(text[:start] + "questions:\n  - ''\n  - ect\n" + text[end:])
    msgs = errors(kb)
    assert any("each item of 'questions' must be non-empty text" in e for e in msgs)


def test_body_too_long_for_one_slack_section(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, 'text: "A case of drug-resistant NMS', 'text: "' + "very long " * 320 + "A case of drug-resistant NMS")
    assert any("more than one Slack section holds (3000)" in e for e in errors(kb))


def test_review_status_tier_and_dates(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "review: under-review", "review: aproved")
    edit(f, "tier: guideline", "tier: opinion")
    edit(f, "updated: 2026-11-25", "updated: 2026-13-01")
    msgs = "\n".join(errors(kb))
    assert "'review' must be one of draft, under-review, found 'aproved'" in msgs
    assert "'tier' must be one of guideline, research, found 'opinion'" in msgs
    assert "ect.yaml:3: 'updated' must be a date written YYYY-MM-DD, found '2026-13-01'" in msgs


def test_future_date_and_stale_topic(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "updated: 2026-11-25", "updated: 2099-01-01")
    assert any("'updated' 2099-01-01 is in the future" in e for e in errors(kb))
    edit(f, "updated: 2099-01-01", "updated: 2020-01-01")
    _, problems = validate_knowledge(kb, today=dt.date(2026, 11, 25), max_age_days=365)
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert warnings == [
        f"{warnings[0].split(':')[0]}:3: warning: topic 'ect' was last updated 2020-01-01, "
        "more than 365 days ago: review it"
    ]


def test_meta_version_and_synonym_conflicts(kb: Path):
    edit(kb / "meta.yaml", 'version: "2026-11-25.1"', "version: latest")
    edit(kb / "synonyms.yaml", "    - cpk\n", "    - cpk\n    - benzo\n")
    msgs = "\n".join(errors(kb))
    assert "meta.yaml:3: 'version' must look like 2025-07-01.1" in msgs
    assert "'benzo' is listed under both 'ck' and 'benzodiazepine'" in msgs


def test_load_refuses_with_every_problem(kb: Path):
    edit(kb / "topics" / "ect.yaml", "cite: [jpma-2014]", "cite: [nope]")
    edit(kb / "topics" / "cooling.yaml", "review: under-review", "review: maybe")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(kb)
    assert len(exc.value.problems) == 2


def test_citations_in_order_of_first_use_guideline_first(engine):
    topic = engine.knowledge.topics["ect"]
    assert topic.citations == ("guideline-2025", "psychiatr-q-2001", "source-ref-3", "jpma-2014")


def test_each_mistake_is_reported_once_without_cascades(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, 'title: "Electroconvulsive therapy (ECT)"\n', "")
    (kb / "references.yaml").write_text("")
    msgs = errors(kb)
    assert [m.split(": ", 1)[1] for m in msgs] == [
        "references.yaml must be a list of references, found nothing",
        "missing field 'title'",
    ]


def test_context_word_that_is_a_synonym_or_a_topic_word_is_refused(kb: Path):
    f = kb / "context.yaml"
    edit(f, "  - bp\n", "  - bp\n  - rhabdo\n  - adjunctive\n")
    msgs = "\n".join(errors(kb))
    assert (
        f"context.yaml:{line_of(f, '- rhabdo')}: context word 'rhabdo' is already a synonym of 'rhabdomyolysis'" in msgs
    )
    assert (
        f"context.yaml:{line_of(f, '- adjunctive')}: context word 'adjunctive' is a word of topic "
        "'benzodiazepines'" in msgs
    )


def test_safety_rules_must_name_a_known_concept_and_topics(kb: Path):
    f = kb / "safety.yaml"
    edit(
        f,
        "  - when: antipsychotic\n    topic: stop-antipsychotic",
        "  - when: antipsychotik\n    topic: stop-antipsychotc",
    )
    msgs = "\n".join(errors(kb))
    line = line_of(f, "when: antipsychotik")
    assert (
        f"safety.yaml:{line}: carry rule: 'antipsychotik' is not a synonym in synonyms.yaml "
        "(did you mean 'antipsychotic'?)" in msgs
    )
    assert (
        f"safety.yaml:{line}: carry rule: unknown topic 'stop-antipsychotc' (did you mean "
        "'stop-antipsychotic'?)" in msgs
    )


def test_a_subgroup_result_without_the_overall_one_is_refused(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(
        f,
        "One study found no statistically significant difference in mortality rate or duration of treatment "
        "between dantrolene, bromocriptine or ECT and supportive care; a subgroup",
        "A subgroup",
    )
    msgs = [e for e in errors(kb) if "ect.yaml" in e]
    assert any(
        f"ect.yaml:{line_of(f, 'body:')}: topic 'ect' says 'subgroup analysis' but no statement says "
        "'no statistically significant' (a subgroup result is never shown without the overall result" in msg
        for msg in msgs
    ), msgs


def test_a_benefit_claim_without_the_overall_result_is_refused(kb: Path):
    """ "Used with some success" never stands without "no statistically significant differences"."""
    f = kb / "topics" / "bromocriptine.yaml"
    text = f.read_text()
    start = text.index('  - tier: research\n    text: "One study found')
    f.write_text(text[:start] + text[text.index("related:") :])
    msgs = [e for e in errors(kb) if "bromocriptine.yaml" in e]
    assert any("says 'some success' but no statement says 'no statistically significant'" in m for m in msgs), msgs


def test_resuming_without_a_different_class_is_refused(kb: Path):
    f = kb / "topics" / "monitoring.yaml"
    edit(f, "a different class should be selected, with gradual titration", "with gradual titration")
    assert any(
        "topic 'monitoring' says 'resumed later' but no statement says 'different class'" in e for e in errors(kb)
    )


def test_members_of_an_unknown_class_and_bad_purposes_are_refused(kb: Path):
    edit(kb / "synonyms.yaml", "members:\n  antipsychotic:", "members:\n  antipsychotics:")
    edit(kb / "scope.yaml", '["antipsychotic + monitor"]', '["antipsychotic + zorbing"]')
    msgs = "\n".join(errors(kb))
    assert (
        "members of 'antipsychotics': 'antipsychotics' is not a key of 'synonyms' (did you mean "
        "'antipsychotic'?)" in msgs
    )
    assert "'zorbing' in 'antipsychotic + zorbing' is neither a synonym nor a topic word" in msgs


def test_a_setting_that_is_no_concept_is_refused_with_its_line(kb: Path):
    f = kb / "synonyms.yaml"
    edit(f, "settings: [ward, icu]", "settings: [ward, icuu]")
    line = next(n for n, text in enumerate(f.read_text().splitlines(), 1) if text.startswith("settings:"))
    assert any(
        e.endswith(f"synonyms.yaml:{line}: settings: 'icuu' is not a key of 'synonyms' (did you mean 'icu'?)")
        for e in errors(kb)
    ), errors(kb)


def test_a_missing_vocabulary_file_is_named(kb: Path):
    (kb / "context.yaml").unlink()
    assert any(e.endswith("context.yaml:1: file is missing") for e in errors(kb))


def test_every_file_an_editor_finds_is_explained_in_the_knowledge_readme(kb: Path):
    readme = (kb / "README.md").read_text()
    for path in kb.glob("*.yaml"):
        assert f"`{path.name}`" in readme, path.name


def test_a_statement_giving_a_dose_is_refused(kb: Path):
    f = kb / "topics" / "dantrolene.yaml"
    edit(f, "has been used in some cases.", "has been used in some cases, typically 1-2.5 mg/kg IV.")
    [msg] = [e for e in errors(kb) if "dantrolene.yaml" in e]
    assert f"dantrolene.yaml:{line_of(f, 'body:')}: topic 'dantrolene' gives an amount ('1-2.5 mg/kg')" in msg


def test_a_synonyms_file_that_is_no_mapping_is_reported_once(kb: Path):
    (kb / "synonyms.yaml").write_text("- a\n- b\n")
    found = [e for e in errors(kb) if "synonyms.yaml:1:" in e and "must be a mapping" in e]
    assert len(found) == 1, found


def test_a_synonym_listed_twice_in_its_group_is_a_warning_with_its_line(kb: Path):
    edit(kb / "synonyms.yaml", "    - cpk\n", "    - cpk\n    - cpk\n")
    _, problems = validate_knowledge(kb)
    lines = (kb / "synonyms.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("  ck:") + 1
    warnings = [str(p) for p in problems if p.severity == "warning"]
    expected = f"synonyms.yaml:{line}: warning: 'cpk' is listed twice under 'ck': keep one"
    assert any(w.endswith(expected) for w in warnings), warnings
