"""`nms-bot review`, `review approve` and `export --html` as an editor and a release gate use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_cli import run
from .test_knowledge import edit

IDS = [
    "anticoagulation",
    "benzodiazepines",
    "bromocriptine",
    "cooling",
    "dantrolene",
    "ect",
    "evidence",
    "fluids",
    "monitoring",
    "overview",
    "pharmacotherapy",
    "rechallenge",
    "stop-antipsychotic",
    "supportive-care",
]


def nothing_approved(kb: Path) -> bool:
    return json.loads(run("review", "--knowledge", str(kb), "--json").stdout)["counts"]["approved"] == 0


def review(kb: Path, *args: str) -> tuple[int, dict]:
    r = run("review", "--knowledge", str(kb), "--json", *args)
    assert "Traceback" not in r.stderr
    return r.returncode, json.loads(r.stdout)


def test_approve_records_who_and_the_answer_shows_it(kb: Path):
    r = run("review", "approve", "dantrolene", "--by", "Dr Ada Lovelace", "--note", "checked", "--knowledge", str(kb))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Approved 'dantrolene' as sha256:") and "approvals.yaml" in r.stdout
    d = json.loads(run("ask", "--knowledge", str(kb), "--json", "should we give dantrolene?").stdout)
    assert d["review"] == "approved" and d["approval"]["by"] == "Dr Ada Lovelace"
    assert "Pending clinical review" not in d["text"] and "Reviewed by Dr Ada Lovelace on " in d["text"]
    _, report = review(kb)
    [topic] = [t for t in report["topics"] if t["id"] == "dantrolene"]
    assert topic["state"] == "approved" and topic["approval"]["note"] == "checked"
    assert topic["fingerprint"] == topic["approval"]["fingerprint"] == d["approval"]["fingerprint"]


def test_review_strict_is_a_release_gate(kb: Path):
    code, report = review(kb, "--strict")
    assert code == 1 and report["counts"]["never-approved"] == 14
    assert run("review", "--knowledge", str(kb)).returncode == 0  # without --strict: a report
    assert run("review", "approve", *IDS, "--by", "Dr A", "--knowledge", str(kb)).returncode == 0
    code, report = review(kb, "--strict")
    assert code == 0 and report["counts"]["approved"] == 14
    day = report["date"]
    code, report = review(kb, "--strict", "--as-of", "2099-01-01")  # every approval long overdue
    assert code == 1 and report["counts"]["overdue"] == 14 and report["topics"][0]["days_overdue"] > 0
    edit(kb / "topics" / "ect.yaml", "review: under-review\n", "review: under-review\nreview_interval_days: 1\n")
    code, report = review(kb, "--strict")
    assert code == 0 and report["date"] == day
    edit(kb / "topics" / "cooling.yaml", "such as cooling blankets.", "such as ice packs.")
    code, report = review(kb, "--strict")
    assert code == 1 and report["counts"]["changed"] == 1
    assert report["topics"][0]["id"] == "cooling" and report["topics"][0]["pending"] is True


def test_review_lists_changes_with_a_statement_diff(kb: Path):
    run("review", "approve", "cooling", "--by", "Dr A", "--knowledge", str(kb))
    edit(kb / "topics" / "cooling.yaml", "such as cooling blankets.", "such as ice packs.")
    r = run("review", "--knowledge", str(kb))
    assert r.returncode == 0
    text = r.stdout
    assert "Changed since approval: shown as pending review until approved again (1)" in text
    assert (
        "- guideline: *Aggressive cooling for hyperthermia* using external cooling measures such as cooling "
        "blankets. [1]" in text
    )
    assert (
        "+ guideline: *Aggressive cooling for hyperthermia* using external cooling measures such as ice "
        "packs. [1]" in text
    )
    assert "Never approved: shown as pending review (13)" in text and 'review approve TOPIC --by "NAME"' in text
    r = run("validate", str(kb))
    assert r.returncode == 0 and "cooling.yaml:" in r.stderr and "changed since Dr A approved it" in r.stderr
    assert run("validate", str(kb), "--strict").returncode == 1


def test_approved_only_mode_refuses_a_topic_edited_after_approval(kb: Path):
    env = {"NMS_APPROVED_ONLY": "1"}
    run("review", "approve", "dantrolene", "--by", "Dr A", "--knowledge", str(kb))
    d = json.loads(run("ask", "--knowledge", str(kb), "--json", "dantrolene", env=env).stdout)
    assert d["status"] == "answer" and d["topic"]["id"] == "dantrolene"
    edit(kb / "topics" / "dantrolene.yaml", "in some cases", "in all cases")
    d = json.loads(run("ask", "--knowledge", str(kb), "--json", "dantrolene", env=env).stdout)
    assert d["status"] == "none" and d["topic"] is None and "in all cases" not in d["text"]


def test_approve_refuses_what_it_cannot_record(kb: Path):
    r = run("review", "approve", "dantrolen", "--by", "Dr A", "--knowledge", str(kb))
    assert r.returncode == 2 and "no topic 'dantrolen' (did you mean 'dantrolene'?)" in r.stderr
    assert run("review", "approve", "ect", "--knowledge", str(kb)).returncode == 2  # --by is required
    assert run("review", "approve", "ect", "--by", "  ", "--knowledge", str(kb)).returncode == 2
    edit(kb / "topics" / "ect.yaml", "review: under-review", "review: draft")
    r = run("review", "approve", "ect", "--by", "Dr A", "--knowledge", str(kb))
    assert r.returncode == 1 and "is a draft" in r.stderr
    assert nothing_approved(kb)


def test_approve_with_the_packet_fingerprint_binds_to_that_text(kb: Path):
    _, report = review(kb)
    fp = next(t["fingerprint"] for t in report["topics"] if t["id"] == "cooling")
    edit(kb / "topics" / "cooling.yaml", "such as cooling blankets.", "such as ice packs.")
    r = run("review", "approve", "cooling", "--by", "Board", "--fingerprint", fp[:19], "--knowledge", str(kb))
    assert r.returncode == 1 and "no longer has the text with fingerprint" in r.stderr
    assert nothing_approved(kb)
    _, report = review(kb)
    fp = next(t["fingerprint"] for t in report["topics"] if t["id"] == "cooling")
    r = run("review", "approve", "cooling", "--by", "Board", "--fingerprint", fp[7:19], "--knowledge", str(kb))
    assert r.returncode == 0
    assert (
        run("review", "approve", "cooling", "ect", "--by", "B", "--fingerprint", fp, "--knowledge", str(kb)).returncode
        == 2
    )


def test_review_of_a_broken_knowledge_base_exits_1(kb: Path):
    edit(kb / "topics" / "ect.yaml", "cite: [jpma-2014]", "cite: [nope]")
    for args in (["review"], ["review", "approve", "ect", "--by", "A"], ["export", "--html", str(kb / "out")]):
        r = run(*args, "--knowledge", str(kb))
        assert r.returncode == 1 and "unknown citation key 'nope'" in r.stderr and "Traceback" not in r.stderr


def test_export_writes_the_packet_and_refuses_a_file(kb: Path, tmp_path: Path):
    r = run("export", "--html", str(tmp_path / "packet"), "--knowledge", str(kb))
    assert r.returncode == 0 and "index.html" in r.stdout
    page = (tmp_path / "packet" / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count('<section class="topic"') == 14
    (tmp_path / "file").write_text("x")
    r = run("export", "--html", str(tmp_path / "file"), "--knowledge", str(kb))
    assert r.returncode == 2 and "--html needs a folder" in r.stderr
    assert run("export", "--knowledge", str(kb)).returncode == 2
    assert run("review", "--as-of", "tomorrow", "--knowledge", str(kb)).returncode == 2


def test_approve_refuses_the_copy_installed_with_the_program():
    # Where the installed program keeps its copy (asked from "/", so this checkout is not imported).
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pathlib, nms_bot; print(pathlib.Path(nms_bot.__file__).resolve().parent / 'knowledge')",
        ],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    )
    inside = Path(where.stdout.strip())
    r = run("review", "approve", "ect", "--by", "Dr A", "--knowledge", str(inside))
    assert r.returncode == 2 and "is the copy installed with the program" in r.stderr
