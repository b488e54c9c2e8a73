"""Clinical sign-off in the core: approvals bound to the text, owners, intervals, overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nms_bot.core.approvals import record_approval
from nms_bot.core.engine import Engine
from nms_bot.core.loader import load_knowledge, validate_knowledge
from nms_bot.core.signoff import APPROVED, CHANGED, NEVER, OVERDUE, review_status, topic_fingerprint

from .test_knowledge import edit, errors, line_of

DAY = dt.date(2026, 11, 25)


def approve(kb: Path, *ids: str, by: str = "Dr Ada Lovelace", on: dt.date = DAY) -> None:
    knowledge = load_knowledge(kb)
    for tid in ids:
        record_approval(kb, knowledge, tid, by, "checked against the source", today=on)


def warnings(kb: Path) -> list[str]:
    _, problems = validate_knowledge(kb)
    return [str(p) for p in problems if p.severity == "warning"]


def add_owners(path: Path, block: str) -> None:
    edit(path, "review: under-review\n", f"review: under-review\n{block}")


OWNERS = "owners:\n  - id: U0123ABCD1\n    name: Dr Ada Lovelace\n"


def test_approve_then_edit_makes_the_topic_pending_and_validate_says_where(kb: Path):
    approve(kb, "dantrolene")
    topic = load_knowledge(kb).topics["dantrolene"]
    assert topic.approved and topic.approval.by == "Dr Ada Lovelace" and topic.approval.date == DAY
    f = kb / "topics" / "dantrolene.yaml"
    edit(f, "has been used in some cases", "has been used in many cases")
    knowledge, problems = validate_knowledge(kb)
    assert knowledge is not None and not knowledge.topics["dantrolene"].approved
    line = line_of(f, "has been used in many cases")
    assert [str(p) for p in problems] == [
        f"{problems[0].file}:{line}: warning: topic 'dantrolene' changed since Dr Ada Lovelace approved it on "
        "2026-11-25 (statement 2 changed): it shows as pending review until approved again (`nms-bot review` "
        "shows the changes; `nms-bot review approve dantrolene --by NAME`)"
    ]
    assert problems[0].file.endswith("dantrolene.yaml")
    status = review_status(knowledge, knowledge.topics["dantrolene"], DAY)
    assert status.state == CHANGED and status.pending
    assert [d[:40] for d in status.diff] == [
        "- research: *Dantrolene sodium* has been",
        "+ research: *Dantrolene sodium* has been",
    ]
    assert status.diff[0].endswith("in some cases. [2,5,3,4]") and status.diff[1].endswith("in many cases. [2,5,3,4]")


def test_approved_only_mode_never_serves_the_edited_topic(kb: Path):
    approve(kb, "dantrolene", "cooling")
    strict = Engine.load(kb, approved_only=True)
    assert strict.ask("should we give dantrolene?").topic.id == "dantrolene"
    edit(
        kb / "topics" / "dantrolene.yaml",
        "[psychiatr-q-2001, source-ref-5, source-ref-3, source-ref-4]",
        "[psychiatr-q-2001, source-ref-5, source-ref-3]",
    )
    strict = Engine.load(kb, approved_only=True)
    assert strict.ask("should we give dantrolene?").topic is None
    assert strict.show("dantrolene") is None and set(strict.knowledge.topics) == {"cooling"}
    answer = Engine.load(kb, approved_only=False).show("dantrolene")
    assert answer.caution and "Reviewed by" not in answer.footer


def test_an_edited_reference_unapproves_every_topic_citing_it(kb: Path):
    approve(kb, "ect", "cooling")
    edit(kb / "references.yaml", "J Pak Med Assoc 2014 Apr;64(4).", "J Pak Med Assoc 2014 Apr;64(5).")
    knowledge = load_knowledge(kb)
    assert not knowledge.topics["ect"].approved and knowledge.topics["cooling"].approved  # cooling cites no jpma
    [warning] = warnings(kb)
    assert "topic 'ect' changed" in warning and "(reference [6] changed)" in warning


FORMATTING = [  # (old, new) in dantrolene.yaml: same words, other YAML
    ('title: "Dantrolene"', "title: 'Dantrolene'"),
    ('title: "Dantrolene"', "title: Dantrolene"),
    (
        'text: "One study found no statistically significant difference in mortality',
        'text: "One   study found no statistically\n      significant difference  in mortality',
    ),
    (
        'text: "Treatment focuses on supportive care and management of symptoms '
        '*rather than specific pharmacological interventions*."',
        "text: >-\n      Treatment focuses on supportive care and\n      management of symptoms"
        "\n      *rather than specific pharmacological interventions*.",
    ),
    ("cite: [source-ref-3]\n", "cite:\n      - source-ref-3\n"),
    ("keywords: [dantrolene]", "keywords: [dantrolene, dantrium]"),  # not shown in the answer
    ("  - does dantrolene work\n", "  - does dantrolene work\n  - dantrolene or not\n"),  # nor are questions
]
TEXT = [  # what a clinician reads, changed
    ('title: "Dantrolene"', 'title: "Dantrolene sodium"'),
    ("has been used in some cases", "has been used in most cases"),
    ("*Dantrolene sodium*", "Dantrolene sodium"),
    ("  - tier: guideline\n", "  - tier: research\n"),
    ("cite: [source-ref-3]", "cite: [source-ref-3, jpma-2014]"),
    ("cite: [guideline-2025]", "cite: [psychiatr-q-2001]"),
]


@pytest.mark.parametrize(("old", "new"), FORMATTING)
def test_fingerprint_ignores_formatting(kb: Path, old: str, new: str):
    before = load_knowledge(kb)
    edit(kb / "topics" / "dantrolene.yaml", old, new)
    after = load_knowledge(kb)
    assert topic_fingerprint(after.topics["dantrolene"], after.references) == topic_fingerprint(
        before.topics["dantrolene"], before.references
    )


@pytest.mark.parametrize(("old", "new"), TEXT)
def test_fingerprint_follows_the_text(kb: Path, old: str, new: str):
    approve(kb, "dantrolene")
    edit(kb / "topics" / "dantrolene.yaml", old, new)
    knowledge = load_knowledge(kb)
    assert not knowledge.topics["dantrolene"].approved
    assert review_status(knowledge, knowledge.topics["dantrolene"], DAY).diff


def test_reformatted_approved_topic_stays_approved(kb: Path):
    approve(kb, "dantrolene")
    for old, new in FORMATTING[1:]:
        edit(kb / "topics" / "dantrolene.yaml", old, new)
    assert load_knowledge(kb).topics["dantrolene"].approved and warnings(kb) == []


def test_reference_url_is_part_of_the_text(kb: Path):
    approve(kb, "ect")
    edit(kb / "references.yaml", "https://jpma.org.pk/article-details/6310", "https://jpma.org.pk/article-details/6311")
    assert not load_knowledge(kb).topics["ect"].approved


def test_overdue_with_a_fixed_clock_and_a_topic_interval(kb: Path):
    approve(kb, "cooling", "ect", on=dt.date(2026, 1, 1))
    edit(kb / "topics" / "ect.yaml", "review: under-review\n", "review: under-review\nreview_interval_days: 30\n")
    knowledge = load_knowledge(kb)
    assert knowledge.review_interval_days == 180  # meta.yaml's default

    def state(tid: str, day: dt.date) -> str:
        return review_status(knowledge, knowledge.topics[tid], day).state

    due = dt.date(2026, 1, 1) + dt.timedelta(days=180)
    assert review_status(knowledge, knowledge.topics["cooling"], due).due == due
    assert state("cooling", due) == APPROVED and state("cooling", due + dt.timedelta(days=1)) == OVERDUE
    assert state("ect", dt.date(2026, 1, 31)) == APPROVED and state("ect", dt.date(2026, 2, 1)) == OVERDUE
    assert state("fluids", dt.date(2030, 1, 1)) == NEVER
    assert knowledge.topics["cooling"].approved  # overdue is still approved text: still served
    approve(kb, "cooling", on=dt.date(2026, 8, 1))  # re-verified: a new period
    knowledge = load_knowledge(kb)
    assert state("cooling", dt.date(2026, 8, 2)) == APPROVED


def test_knowledge_wide_interval_from_meta(kb: Path):
    edit(kb / "meta.yaml", "review_interval_days: 180", "review_interval_days: 90")
    approve(kb, "cooling", on=dt.date(2026, 1, 1))
    knowledge = load_knowledge(kb)
    assert review_status(knowledge, knowledge.topics["cooling"], dt.date(2026, 4, 2)).state == OVERDUE


def test_approvals_file_keeps_every_record_sorted_with_its_header(kb: Path):
    approve(kb, "ect")
    approve(kb, "cooling", by="Dr B")
    text = (kb / "approvals.yaml").read_text()
    assert text.startswith("# Clinical sign-off records") and text.index("cooling:") < text.index("ect:")
    knowledge = load_knowledge(kb)
    assert {t for t, x in knowledge.topics.items() if x.approved} == {"cooling", "ect"}
    assert knowledge.approvals["cooling"].by == "Dr B"
    assert knowledge.approvals["ect"].note == "checked against the source"


def test_owners_are_read_and_checked(kb: Path):
    f = kb / "topics" / "ect.yaml"
    add_owners(f, OWNERS + '  - id: W0123ABCD2\n    name: "Dr Grace Hopper"\n')
    owners = load_knowledge(kb).topics["ect"].owners
    assert [(o.slack_id, o.name) for o in owners] == [
        ("U0123ABCD1", "Dr Ada Lovelace"),
        ("W0123ABCD2", "Dr Grace Hopper"),
    ]
    edit(f, "U0123ABCD1", "u0123abcd1")
    edit(f, "W0123ABCD2", "U0123ABCD1\n    nmae: x")
    line = line_of(f, "u0123abcd1")
    msgs = "\n".join(errors(kb))
    assert (
        f"ect.yaml:{line}: owner 'id' must be a Slack user id like U012AB3CDE (in Slack: the person's profile, "
        "\u22ee, Copy member ID), found 'u0123abcd1' (Slack user ids are upper case: 'U0123ABCD1')"
    ) in msgs
    assert f"ect.yaml:{line_of(f, 'nmae')}: unknown field 'nmae' (did you mean 'name'?)" in msgs


def test_owner_mistakes(kb: Path):
    f = kb / "topics" / "ect.yaml"
    add_owners(f, "owner: U0123ABCD1\n")
    assert any("unknown field 'owner' (did you mean 'owners'?)" in e for e in errors(kb))
    edit(f, "owner: U0123ABCD1\n", "owners: U0123ABCD1\n")
    assert any(f"ect.yaml:{line_of(f, 'owners:')}: 'owners' must be a list" in e for e in errors(kb))
    edit(f, "owners: U0123ABCD1\n", OWNERS + "  - id: U0123ABCD1\n    name: Someone\n  - id: U0123ABCD3\n")
    msgs = "\n".join(errors(kb))
    assert "owner 'U0123ABCD1' is listed twice (first on line" in msgs and "missing field 'name'" in msgs
    edit(f, "  - id: U0123ABCD1\n    name: Someone\n", "  - id: UBOT\n    name: Someone\n")
    assert any("found 'UBOT'" in e for e in errors(kb))


@pytest.mark.parametrize("value", ["0", "ninety", "true", "5000", "[30]"])
def test_review_interval_must_be_days(kb: Path, value: str):
    edit(kb / "topics" / "ect.yaml", "review: under-review\n", f"review: under-review\nreview_interval_days: {value}\n")
    edit(kb / "meta.yaml", "review_interval_days: 180", f"review_interval_days: {value}")
    msgs = [e for e in errors(kb) if "'review_interval_days' must be a whole number of days from 1 to 3650" in e]
    line = line_of(kb / "topics" / "ect.yaml", "review_interval_days")
    assert len(msgs) == 2 and any("meta.yaml:" in m for m in msgs) and any(f"ect.yaml:{line}:" in m for m in msgs)


def test_review_approved_in_a_topic_file_is_refused_with_what_to_do(kb: Path):
    f = kb / "topics" / "ect.yaml"
    edit(f, "review: under-review", "review: approved")
    assert (
        f"ect.yaml:{line_of(f, 'review: approved')}: 'review: approved' is no longer a sign-off: write "
        "'under-review' here and record the approval with `nms-bot review approve ect --by NAME` "
        "(knowledge/README.md)" in "\n".join(errors(kb))
    )


def test_hand_edited_approval_is_an_error(kb: Path):
    approve(kb, "ect")
    f = kb / "approvals.yaml"
    edit(f, "- 'title: Electroconvulsive therapy (ECT)'", "- 'title: Electroconvulsive therapy (ECT), approved'")
    assert errors(kb) == [
        f"{errors(kb)[0].split(':')[0]}:{line_of(f, 'fingerprint:')}: the approval of 'ect' does "
        "not match the text recorded with it (edited by hand?): approve it again with nms-bot "
        "review approve ect --by NAME"
    ]


def test_approval_file_mistakes_point_at_their_lines(kb: Path):
    approve(kb, "ect", "cooling")
    f = kb / "approvals.yaml"
    edit(f, "cooling:", "colling:")
    edit(
        f,
        "  by: Dr Ada Lovelace\n  date: 2026-11-25\n  note: checked against the source\n  fingerprint: sha256:",
        "  date: 2026-11-25\n  note: checked against the source\n  fingerprint: sha256:",
    )
    _, problems = validate_knowledge(kb)
    shown = [str(p).split(": ", 1)[1] for p in problems if "approvals.yaml" in p.file]
    assert shown == [
        "warning: approval of 'colling', which is not a topic (did you mean 'cooling'?): remove it or "
        "restore the topic",
        "missing field 'by'",
    ]


def test_a_changed_topic_says_it_changed_since_approval_and_a_new_one_that_it_was_never_approved(kb: Path):
    from nms_bot.core.compose import CAUTION, CAUTION_CHANGED
    from nms_bot.core.render import to_text
    from nms_bot.slack.blocks.answers import answer_message

    approve(kb, "dantrolene")
    edit(kb / "topics" / "dantrolene.yaml", "has been used in some cases", "has been used in many cases")
    engine = Engine.load(kb, approved_only=False)
    changed, never = engine.show("dantrolene"), engine.show("cooling")
    assert changed.caution == CAUTION_CHANGED and never.caution == CAUTION
    assert "changed since the clinical editors approved it" in CAUTION_CHANGED
    assert "has not yet been approved" in CAUTION and "changed" not in CAUTION
    for answer, says, not_says in ((changed, CAUTION_CHANGED, CAUTION), (never, CAUTION, CAUTION_CHANGED)):
        text = to_text(answer)
        assert says in text and not_says not in text
        message = answer_message(answer, "mention")
        [alert] = [b for b in message["blocks"] if b["type"] == "alert"]
        assert says in alert["text"]["text"] and says in message["text"] and not_says not in message["text"]
