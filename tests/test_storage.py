"""Storage: redaction before writing, feedback votes, retention, the report."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nms_bot.core.privacy import looks_identifying, redact
from nms_bot.storage.report import build_report, format_report
from nms_bot.storage.store import Revision, Store, database_url, vote_key

# These tests are about what is kept, not how fast: a loaded CI machine may stall a write past the
# serving deadline (2 s), which would make the store skip the database (tests/test_db_faults.py).
LENIENT = 30.0

# Identifier shapes that must never reach storage: (text, the part that must disappear, the
# exact redacted text). The exact text tells which pattern caught it: a catch-all number rule
# masking half of a phone number ("call 555-123-[NUMBER]") is a failure.
IDENTIFIERS = [
    ("pt MRN 12345678 dantrolene?", "12345678", "[MRN] dantrolene?"),
    ("MRN: A1234567 rhabdo", "A1234567", "[MRN] rhabdo"),
    ("mrn#00987654 ect", "00987654", "[MRN] ect"),
    ("chart number 44-551-902 cooling", "44-551-902", "[MRN] cooling"),
    ("hospital no. 7788990 cooling", "7788990", "hospital no. [NUMBER] cooling"),
    ("NHS 943 476 5919 dantrolene", "943 476 5919", "[MRN] dantrolene"),
    ("K1234567 dantrolene", "K1234567", "[MRN] dantrolene"),
    ("call 555-123-4567 about dantrolene", "555-123-4567", "call [PHONE] about dantrolene"),
    ("call 555 123 4567 now", "555 123 4567", "call [PHONE] now"),
    ("ring +44 20 7946 0958", "+44 20 7946 0958", "ring [PHONE]"),
    ("(020) 7946 0958 ward phone", "(020) 7946 0958", "[PHONE] ward phone"),
    ("bleep 12 345 for ect", "12 345", "bleep [PHONE] for ect"),
    ("dob 1970-03-02 nms", "1970-03-02", "dob [DATE] nms"),
    ("born 03/02/1970 nms", "03/02/1970", "born [DATE] nms"),
    ("seen 3.2.24 nms", "3.2.24", "seen [DATE] nms"),
    ("admitted 3 March 2024", "3 March 2024", "admitted [DATE]"),
    ("seen on Mar 3, 2024", "Mar 3, 2024", "seen on [DATE]"),
    ("email jane.doe@hospital.org re nms", "jane.doe@hospital.org", "email [EMAIL] re nms"),
    ("mail j.roe42@nhs.net.uk", "j.roe42@nhs.net.uk", "mail [EMAIL]"),
    ("ask <@U0123ABC> about ect", "U0123ABC", "ask [MENTION] about ect"),
    ("cc @drsmith on dantrolene", "drsmith", "cc [MENTION] on dantrolene"),
    ("bed 4 CK 20000", "20000", "bed 4 CK [NUMBER]"),
    ("account 123456789", "123456789", "[MRN]"),
]


@pytest.mark.parametrize("text, secret, redacted", IDENTIFIERS)
def test_identifiers_are_redacted(text: str, secret: str, redacted: str):
    out = redact(text)
    assert out == redacted
    digits = re.sub(r"\D", "", secret)
    # No run of the identifier's digits is left, not even a part a looser pattern left behind.
    assert not [run for run in re.findall(r"\d{2,}", out) if run in digits], out


@pytest.mark.parametrize(
    "text", ["should we give dantrolene?", "ECT when", "temp 40.5 how to cool", "bromo dose", "DVT ppx", "rhabdo?"]
)
def test_ordinary_questions_are_left_alone(text: str):
    assert redact(text) == text and not looks_identifying(text)


def test_reminder_patterns_ignore_mentions_of_the_bot():
    assert not looks_identifying("<@UBOT> dantrolene")
    assert looks_identifying("<@UBOT> MRN 1234567 dantrolene")


def test_gap_text_is_redacted_before_storage(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    for text, _, _ in IDENTIFIERS:
        store.record_gap("none", text, "T1")
    raw = (tmp_path / "a.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("a.db-*"))
    dump = json.dumps(store.table_rows(), default=str)
    for _, secret, _ in IDENTIFIERS:
        assert secret not in dump
        assert secret.encode() not in raw


def test_a_lone_surrogate_or_an_overlong_value_does_not_fail_a_write(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    store.record_gap("none", "lithium \ud800 toxicity", "T\udfff" + "1" * 1000)
    store.record_answer("cooling", "dm", "T" * 1000)
    rows = store.table_rows()
    assert [(g["text"], g["team"]) for g in rows["nms_gaps"]] == [("lithium ? toxicity", "T?" + "1" * 38)]
    assert [a["team"] for a in rows["nms_answers"]] == ["T" * 40]


def test_questions_acknowledged_together_are_kept_in_one_transaction_and_a_retry_among_them_once(tmp_path: Path):
    from sqlalchemy import event

    # A deadline that a loaded machine's thread start-up cannot outlast: the group is what is tested.
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    # Housekeeping stays out of the commits counted: the first write's purge, run in the background,
    # may start late on a loaded machine (a second commit seen once in CI).
    store._last_purge = time.monotonic()
    store.claim_event("EvKept")  # an event kept earlier, whose retry arrives in the group
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda conn: commits.append(1))
    busy, held = threading.Event(), threading.Event()

    def hold() -> None:  # SQLite's one writer, busy
        held.set()
        busy.wait(20)

    holder = threading.Thread(target=store.bounded, args=(hold,))
    holder.start()
    # The senders start only once the writer is held: started before it, on a loaded machine the
    # first of them wrote alone (four commits seen once in CI).
    assert held.wait(10)
    events = ["EvA", "EvKept", "EvB", "EvA", "EvC"]  # EvA twice: Slack's retry before the first was written
    kept: dict[int, int | None] = {}

    def enqueue(i: int) -> None:
        kept[i] = store.enqueue(events[i], f'{{"n": {i}}}', "here:1:t", 60, 20.0)

    senders = [threading.Thread(target=enqueue, args=(i,)) for i in range(len(events))]
    for sender in senders:
        sender.start()
    deadline = time.monotonic() + 15
    while len(store._arrivals) < len(events) and time.monotonic() < deadline:  # all waiting for the writer
        time.sleep(0.01)
    busy.set()
    for thread in (holder, *senders):
        thread.join(20)
    assert commits == [1], "one transaction for the whole group"
    assert kept[1] is None and [kept[0] is None, kept[3] is None].count(True) == 1, "each event kept once"
    rows = store.table_rows()["nms_answer_queue"]
    assert sorted(r["id"] for r in rows) == sorted(j for j in kept.values() if j is not None)
    assert len(rows) == 3
    store.close()


def test_second_vote_by_the_same_user_replaces_the_first(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    key = vote_key("T1", "C1:1.2", "U1")
    store.record_feedback(key, "cooling", "helpful", "mention", "T1")
    store.record_feedback(key, "cooling", "not_helpful", "mention", "T1")
    store.record_feedback(vote_key("T1", "C1:1.2", "U2"), "cooling", "helpful", "mention", "T1")
    rows = store.table_rows()["nms_feedback"]
    assert sorted(r["verdict"] for r in rows) == ["helpful", "not_helpful"]
    assert "U1" not in json.dumps(rows, default=str)
    with pytest.raises(ValueError):
        store.record_feedback(key, "cooling", "meh", "mention")


def test_retention_deletes_old_records(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", retention_days=90, timeout=LENIENT)
    store.record_answer("cooling", "dm")
    store.record_gap("none", "something")
    assert store.claim_event("Ev1")
    assert store.claim_message("C1:1700000000.000100", "1700000000.000100", "v" * 64)
    assert store.purge(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)) == 0
    # event ids and answered messages: a day
    assert store.purge(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)) == 2
    assert store.claim_event("Ev1"), "a forgotten event id can be claimed again"
    assert store.purge(now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=91)) == 3
    assert all(rows == [] for rows in store.table_rows().values())


def test_edits_revise_an_answer_in_time_order_and_once(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    key = "C1:1700000000.000100"
    assert store.revise(key, "1700000010.000000", "b") == (Revision.UNKNOWN, None)
    assert store.claim_message(key, "1700000000.000100", "a") and not store.claim_message(key, "1700000000.000100", "a")
    assert store.revise(key, "1700000010.000000", "b") == (Revision.KEEP, None), "the answer is not posted yet"
    store.set_reply(key, "1700000001.000200")
    assert store.revise(key, "1700000010.000000", "a") == (Revision.KEEP, None), "same verdict"
    assert store.revise(key, "1700000030.000000", "c") == (Revision.UPDATE, "1700000001.000200")
    assert store.revise(key, "1700000020.000000", "b") == (Revision.KEEP, None), "an older edit, late"
    assert store.revise(key, "1700000030.000000", "c") == (Revision.KEEP, None), "the same edit again"
    assert store.revise(key, "1700000040.000000", "a") == (Revision.UPDATE, "1700000001.000200")
    assert store.revise(key, "not a ts", "d") == (Revision.KEEP, None)


def test_an_edit_whose_update_slack_has_not_accepted_is_made_by_its_row_again_or_by_a_later_edit(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    key, answer = "D1:1700000000.000100", "1700000001.000200"
    assert store.claim_message(key, "1700000000.000100", "a", job=1)
    store.set_reply(key, answer)
    assert store.revise(key, "1700000010.000000", "b", job=2) == (Revision.UPDATE, answer)
    # its worker died before Slack accepted the chat.update: the row, taken again, updates the answer
    assert store.revise(key, "1700000010.000000", "b", job=2) == (Revision.UPDATE, answer)
    assert store.revise(key, "1700000010.000000", "b", job=3) == (Revision.KEEP, None), "another row, same edit"
    # a later edit with the same verdict still updates the answer, which does not show it yet
    assert store.revise(key, "1700000020.000000", "b", job=4) == (Revision.UPDATE, answer)
    assert store.revise(key, "1700000010.000000", "b", job=2) == (Revision.KEEP, None), "the older edit is over"
    store.revised(key, 4)  # Slack accepted it
    assert store.revise(key, "1700000020.000000", "b", job=4) == (Revision.KEEP, None)
    assert store.revise(key, "1700000030.000000", "b", job=5) == (Revision.KEEP, None), "same verdict, shown"


def test_report_counts_per_topic_and_top_gaps(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    for _ in range(3):
        store.record_answer("cooling", "mention", "T1")
    store.record_answer("ect", "command", "T1")
    store.record_feedback(vote_key("T1", "m1", "U1"), "cooling", "helpful", "mention")
    store.record_feedback(vote_key("T1", "m1", "U2"), "cooling", "not_helpful", "mention")
    for _ in range(2):
        store.record_gap("none", "lithium level MRN 1234567")
    store.record_gap("suggest", "kidney")
    report = build_report(store, 7)
    assert report["topics"][0] == {"id": "cooling", "answers": 3, "helpful": 1, "not_helpful": 1, "escalations": 0}
    assert report["gaps"][0] == {"text": "lithium level [MRN]", "status": "none", "count": 2}
    table = format_report(report)
    assert "cooling" in table and "lithium level [MRN]" in table and "1234567" not in table


def test_report_command_reads_the_configured_database(tmp_path: Path):
    db = tmp_path / "r.db"
    Store(f"sqlite:///{db}").record_answer("ect", "dm")
    env = {**os.environ, "NMS_DB": str(db)}
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "report", "--since", "7d", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    topics = json.loads(r.stdout)["topics"]
    assert r.returncode == 0
    assert topics[0] == {"id": "ect", "answers": 1, "helpful": 0, "not_helpful": 0, "escalations": 0}
    assert {"id": "dantrolene", "answers": 0, "helpful": 0, "not_helpful": 0, "escalations": 0} in topics, (
        "unused topics listed"
    )
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "report", "--since", "soon"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2


def test_report_prints_no_terminal_escapes(tmp_path: Path):
    """Rows written by anything (an older release, a hand edit) are printed as text: an escape
    sequence stored in them must not clear an editor's screen or retitle the terminal."""
    from sqlalchemy import insert

    from nms_bot.storage.schema import answers, gaps

    db = tmp_path / "r.db"
    store = Store(f"sqlite:///{db}")
    now = dt.datetime.now(dt.timezone.utc)
    hostile = "lithium\x1b[2J\x1b]0;owned\x07 level\u202e\x9b31m\ttoxicity"
    with store.engine.begin() as conn:
        conn.execute(insert(gaps).values(status="none\x1b[5m", text=hostile, team="T1", created_at=now))
        conn.execute(insert(answers).values(topic_id="ect\x1b[8m", surface="dm", team="T1", created_at=now))
    store.close()
    env = {**os.environ, "NMS_DB": str(db)}
    for args in ([], ["--json"]):
        r = subprocess.run(
            [sys.executable, "-m", "nms_bot", "report", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert r.returncode == 0, r.stderr
        assert all(line.isprintable() for line in r.stdout.splitlines()), repr(r.stdout)
        for escaped in ("\\u001b", "\\u009b", "\\u202e", "\\u0007", "\\t"):
            assert escaped not in r.stdout  # JSON escapes would still arrive at a script as escapes
        assert "lithium[2J]0;owned level31m toxicity" in r.stdout


def test_database_url_from_environment():
    assert database_url({"NMS_DB": "/data/x.db"}) == "sqlite:////data/x.db"
    assert database_url({}) == "sqlite:///nms-bot.db"
    assert database_url({"DATABASE_URL": "postgres://u:p@h/db"}) == "postgresql+psycopg://u:p@h/db"


def test_a_press_written_late_does_not_replace_a_later_press(tmp_path: Path):
    # The answering queue may write two quick presses out of order: the later press wins.
    store = Store(f"sqlite:///{tmp_path / 'a.db'}", timeout=LENIENT)
    key = vote_key("T1", "C1:9.9", "U1")
    first = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
    second = first + dt.timedelta(seconds=1)
    store.record_feedback(key, "cooling", "not_helpful", "dm", pressed_at=second)
    store.record_feedback(key, "cooling", "helpful", "dm", pressed_at=first)
    assert [r["verdict"] for r in store.table_rows()["nms_feedback"]] == ["not_helpful"]


def test_old_records_go_while_serve_runs(stub, kb: Path, tmp_path: Path):
    """NMS_RETENTION_DAYS=1: rows two days old are deleted by the serving process itself."""
    from sqlalchemy import insert

    from nms_bot.storage.schema import answers, escalations, feedback, gaps, replies, seen_events, threads

    from .conftest import SECRET, Bot
    from .test_shutdown import _up, start, stop

    db = tmp_path / "s.db"
    store = Store(f"sqlite:///{db}")
    now = dt.datetime.now(dt.timezone.utc)
    old = now - dt.timedelta(days=2)
    with store.engine.begin() as conn:
        conn.execute(insert(answers).values(topic_id="ect", surface="dm", team="T1", created_at=old))
        conn.execute(insert(answers).values(topic_id="fluids", surface="dm", team="T1", created_at=now))
        conn.execute(insert(gaps).values(status="none", text="lithium", team="T1", created_at=old))
        conn.execute(
            insert(feedback).values(
                vote_key="k" * 64, topic_id="ect", verdict="helpful", surface="dm", team="T1", created_at=old
            )
        )
        conn.execute(insert(escalations).values(escalation_key="e" * 64, topic_id="", team="T1", created_at=old))
        conn.execute(insert(seen_events).values(event_id="EvOld", created_at=old))
        conn.execute(insert(replies).values(message_key="C1:1.1", version="1.1", verdict="v", created_at=old))
        conn.execute(insert(threads).values(thread_key="C1:1.1", expires_at=old))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start(
        ["--http", "--port", str(port)], stub, tmp_path, kb, SLACK_SIGNING_SECRET=SECRET, NMS_RETENTION_DAYS="1"
    )
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        assert bot.mention("cooling", ts="1700000500.000001", event_id="EvNew")[0] == 200
        stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))

        def purged_and_answered() -> dict | None:
            r = store.table_rows()
            done = len(r["nms_answers"]) == 2 and not r["nms_gaps"] and len(r["nms_threads"]) == 1
            return r if done and r["nms_threads"][0]["thread_key"] != "C1:1.1" else None

        rows = stub.wait_for(purged_and_answered)
        assert sorted(a["topic_id"] for a in rows["nms_answers"]) == ["cooling", "fluids"]
        for table in ("nms_gaps", "nms_feedback", "nms_escalations"):
            assert rows[table] == [], table
        assert [e["event_id"] for e in rows["nms_seen_events"]] == ["EvNew"]
        assert [r["message_key"] for r in rows["nms_replies"]] == ["C123:1700000500.000001"]
        assert [t["thread_key"] for t in rows["nms_threads"]] == ["C123:1700000500.000001"]
        code, _ = stop(proc)
        assert code == 0
    finally:
        store.close()
        if proc.poll() is None:
            proc.kill()
