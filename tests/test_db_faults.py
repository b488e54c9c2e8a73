"""A database that is locked, read-only, deleted or created by two processes at once."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nms_bot.storage.store import Store

from .conftest import run_unprivileged, start_bot

FAILING = "database named by NMS_DB failing"


def test_answers_go_out_while_another_connection_holds_the_sqlite_write_lock(stub, kb: Path, tmp_path: Path, caplog):
    db = tmp_path / "locked.db"
    bot, stop = start_bot(stub, kb, f"sqlite:///{db}", record_gaps=True, db_timeout=0.5)
    locker = sqlite3.connect(db, timeout=0)
    try:
        with caplog.at_level(logging.INFO):
            locker.execute("BEGIN EXCLUSIVE")  # e.g. a backup or a long report holding the lock
            started = time.monotonic()
            for i in range(5):
                assert bot.mention("cooling", ts=f"1.{i}", event_id=f"EvLock{i}")[0] == 200
            status, body = bot.command("ect")
            assert status == 200 and json.loads(body)["blocks"][0]["text"]["text"].startswith("NMS: Electroconvulsive")
            assert bot.dm("lithium toxicity")[0] == 200  # a gap to record
            assert bot.action("nms_feedback:helpful", "cooling|mention", user="U5")[0] == 200
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 6, timeout=8)
            stub.wait_for(lambda: stub.delivered_to("chat.postEphemeral"), timeout=8)
            assert time.monotonic() - started < 8, "answered while the lock was still held"
            locker.rollback()
            time.sleep(5.5)  # the store skips the database for a few seconds after a time-out
            assert bot.mention("rhabdo", ts="2.1", event_id="EvLockAfter")[0] == 200
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 7)
            stub.wait_for(lambda: "works again" in caplog.text)
    finally:
        locker.close()
        stop()
    assert caplog.text.count(FAILING) == 1, "logged once, not per answer"
    assert caplog.text.count("answering from memory") == 1, "the acks fell back to memory, said once"
    assert "cooling" not in caplog.text.lower() and "lithium" not in caplog.text.lower()


def test_a_locked_database_holds_up_an_answer_once_not_once_per_call(stub, kb: Path, tmp_path: Path):
    from sqlalchemy import event

    from nms_bot.slack.delivery.questions import Question, answer

    db = tmp_path / "locked.db"
    # a 1 s deadline: SQLite gives up on the lock after 0.8 s (SQLITE_BUSY), each call on its own
    bot, stop = start_bot(stub, kb, f"sqlite:///{db}", db_timeout=1.0)
    statements: list[str] = []

    def answering(*args: object) -> None:  # the queue's own look-ups for work go on beside it
        if "nms_answer_queue" not in str(args[2]):
            statements.append(str(args[2]))

    event.listen(bot.services.store.engine, "before_cursor_execute", answering)
    locker = sqlite3.connect(db, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        question = Question("C123", "1700000000.000001", "cooling", "mention", "T1", thread_ts="1700000000.000001")
        answer(bot.services, bot.app.client, question)  # steps 3-5 of the route, as a worker runs them
    finally:
        locker.rollback()
        locker.close()
        stop()
    assert [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")] == ["1700000000.000001"]
    # claim, remember the thread, record where the answer went, statistics: only the first waits
    assert len(statements) == 1, statements


def test_deleting_the_sqlite_file_under_a_running_bot_is_logged_once(stub, kb: Path, tmp_path: Path, caplog):
    db = tmp_path / "gone.db"
    bot, stop = start_bot(stub, kb, f"sqlite:///{db}")
    try:
        with caplog.at_level(logging.INFO):
            bot.mention("cooling", ts="1.1")
            stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))
            for path in tmp_path.glob("gone.db*"):
                path.unlink()
            for i in range(3):
                bot.mention("cooling", ts=f"2.{i}")
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 4)
            stub.wait_for(lambda: "deleted or replaced" in caplog.text)
            time.sleep(0.3)
    finally:
        stop()
    assert caplog.text.count("deleted or replaced") == 1


RACE = """
import sys, time
start = float(sys.argv[1])
from nms_bot.storage.store import Store
while time.time() < start:
    pass
try:
    Store.from_env().close()
    print("ok")
except Exception as exc:
    print("failed:", exc)
"""


def first_start_race(env: dict[str, str], processes: int = 4) -> list[str]:
    """Start `processes` stores on a fresh database at the same instant; what each said."""
    start = time.time() + 1.5  # after every interpreter has imported SQLAlchemy
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(start)],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(processes)
    ]
    return [p.communicate(timeout=60)[0].strip() for p in procs]


def test_processes_opening_a_fresh_sqlite_database_at_once_all_start(tmp_path: Path):
    results = []
    for round_ in range(3):
        results += first_start_race({"NMS_DB": str(tmp_path / f"fresh{round_}.db")})
    assert results == ["ok"] * len(results), results


def test_serve_refuses_a_database_it_cannot_write_with_one_line():
    folder = Path(tempfile.mkdtemp(prefix="nms-ro-"))  # pytest's own folders are closed to other users
    os.chmod(folder, 0o777)
    db = folder / "bot.db"
    Store(f"sqlite:///{db}").close()
    os.chmod(db, 0o444)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_APP_TOKEN": "xapp-1-2",
        "NMS_DB": str(db),
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    try:
        r = run_unprivileged(["serve"], env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "cannot write to the database named by NMS_DB (OperationalError (SQLITE_READONLY))" in r.stderr
