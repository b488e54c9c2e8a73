"""The PostgreSQL path for real: the store, and two app instances sharing one database."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nms_bot.storage.report import build_report
from nms_bot.storage.store import Store, vote_key

from . import postgres
from .conftest import finished, start_bot
from .payloads import payload

pytestmark = pytest.mark.skipif(bool(postgres.available()), reason=postgres.available() or "ok")


@pytest.fixture(scope="module")
def pg_url():
    with postgres.cluster() as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str):
    store = Store(pg_url)
    with store.engine.begin() as conn:
        from nms_bot.storage.store import metadata

        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    yield store
    store.close()


def test_store_round_trip_on_postgres(pg_store: Store):
    assert pg_store.claim_event("Ev1") and not pg_store.claim_event("Ev1")
    pg_store.record_answer("cooling", "dm", "T1")
    key = vote_key("T1", "C1:1", "U1")
    pg_store.record_feedback(key, "cooling", "helpful", "dm")
    pg_store.record_feedback(key, "cooling", "not_helpful", "dm")
    pg_store.record_gap("none", "lithium MRN 1234567")
    report = build_report(pg_store, 7)
    assert report["topics"] == [{"id": "cooling", "answers": 1, "helpful": 0, "not_helpful": 1, "escalations": 0}]
    assert report["gaps"] == [{"text": "lithium [MRN]", "status": "none", "count": 1}]


def test_the_answering_queue_keeps_each_event_once_and_follow_ups_only_in_the_bots_threads_on_postgres(
    pg_store: Store,
):
    first = pg_store.enqueue("EvQ1", "{}", "here:1:t", 60, 2.0)
    assert first is not None and pg_store.enqueue("EvQ1", "{}", "here:1:t", 60, 2.0) is None, "a retry"
    assert pg_store.enqueue("EvQ2", "{}", "here:1:t", 60, 2.0, thread_key="C1:1.1") is None, "not the bot's thread"
    pg_store.remember_thread("C1:1.1", 1.0)
    pg_store.remember_thread("C1:1.1", 2.0)  # a later answer in the same thread extends it
    assert pg_store.enqueue("EvQ3", "{}", "here:1:t", 60, 2.0, thread_key="C1:1.1") not in (None, first)
    assert len(pg_store.table_rows()["nms_answer_queue"]) == 2


def test_a_group_of_questions_is_kept_each_under_its_own_row_on_postgres(pg_store: Store):
    from nms_bot.storage.jobs import _Arrival

    pg_store.claim_event("EvG-kept")  # kept earlier: its retry arrives in the group
    pg_store.remember_thread("C9:1.1", 60.0)
    group = [
        _Arrival(event_id, json.dumps({"q": i}), "here:1:t", 60, thread_key)
        for i, (event_id, thread_key) in enumerate(
            [("EvG1", None), ("EvG-kept", None), ("EvG2", "C9:1.1"), ("EvG1", None), ("EvG3", "C9:2.2"), ("EvG4", None)]
        )
    ]
    pg_store._write_group(group)
    jobs = [a.job for a in group]
    assert jobs[1] is None and jobs[3] is None and jobs[4] is None, "a retry, a second copy, a thread not the bot's"
    questions = {r["id"]: r["question"] for r in pg_store.table_rows()["nms_answer_queue"]}
    for arrival in (group[0], group[2], group[5]):  # each row id holds its own question
        assert arrival.job is not None and questions[arrival.job] == arrival.question


def test_two_instances_on_postgres_answer_each_event_once(pg_url: str, pg_store: Store, stub, kb: Path):
    first, stop1 = start_bot(stub, kb, pg_url)
    second, stop2 = start_bot(stub, kb, pg_url)
    try:
        for i in range(20):
            target, other = (first, second) if i % 2 else (second, first)
            assert target.mention("cooling", ts=f"1700000000.{i:06d}", event_id=f"EvPG{i}")[0] == 200
            assert (
                other.mention(
                    "cooling", ts=f"1700000000.{i:06d}", event_id=f"EvPG{i}", headers={"X-Slack-Retry-Num": "1"}
                )[0]
                == 200
            )
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= 20, timeout=30)
        stub.wait_for(lambda: finished(first.services) and finished(second.services))
        threads = [p["thread_ts"] for p in stub.sent("chat.postMessage")]
        assert len(threads) == 20 and len(set(threads)) == 20
    finally:
        stop1()
        stop2()


def test_an_edit_on_one_instance_updates_the_answer_another_gave_on_postgres(
    pg_url: str, pg_store: Store, stub, kb: Path
):
    first, stop1 = start_bot(stub, kb, pg_url)
    second, stop2 = start_bot(stub, kb, pg_url)
    try:
        stub.queued["chat.postMessage"] = [(200, {}, {"ok": True, "channel": "C123", "ts": "1700000101.000200"})]
        first.send(payload("app_mention"))
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        second.send(payload("app_mention", event_id="Ev0SAMEMESSAGE"))  # the same message, another event id
        second.send(payload("app_mention_edited"))
        [update] = stub.wait_for(lambda: stub.sent("chat.update"))
        assert update["ts"] == "1700000101.000200"
        assert update["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
        stub.wait_for(lambda: finished(first.services) and finished(second.services))
        assert len(stub.sent("chat.postMessage")) == 1
    finally:
        stop1()
        stop2()


def test_a_frozen_postgres_costs_answers_seconds_not_the_answer(pg_url: str, pg_store: Store, stub, kb: Path, caplog):
    bot, stop = start_bot(stub, kb, pg_url, record_gaps=True, db_timeout=1.0)
    try:
        assert bot.mention("cooling", ts="1.0", event_id="EvWarm")[0] == 200  # a pooled connection exists
        stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))
        with caplog.at_level(logging.INFO), postgres.frozen(pg_url):
            for i in range(1, 6):
                assert bot.mention("cooling", ts=f"1.{i}", event_id=f"EvFrozen{i}")[0] == 200
            status, body = bot.command("dantrolene")
            assert status == 200 and json.loads(body)["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
            assert bot.dm("lithium toxicity")[0] == 200
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 7, timeout=12)
        assert caplog.text.count("database named by DATABASE_URL failing") == 1
        time.sleep(5.5)  # the store tries the database again a few seconds after a time-out
        assert bot.mention("ect", ts="2.0", event_id="EvThawed")[0] == 200
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 8, timeout=15)
    finally:
        stop()


def test_processes_creating_the_schema_on_a_fresh_postgres_database_at_once_all_start(pg_url: str):
    from .test_db_faults import first_start_race

    results = []
    for round_ in range(5):
        fresh = postgres.create_database(pg_url, f"race{round_}")
        results += first_start_race({"DATABASE_URL": fresh.replace("postgresql+psycopg", "postgresql")})
    assert results == ["ok"] * len(results), results


def test_serve_refuses_a_database_role_that_cannot_write(pg_url: str, pg_store: Store):
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS reader")
        conn.execute("CREATE ROLE reader LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader = pg_url.replace("postgres@", "reader@").replace("postgresql+psycopg", "postgresql")
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-1-2-3",
            "SLACK_APP_TOKEN": "xapp-1-2",
            "DATABASE_URL": reader,
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
        },
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "cannot write to the database named by DATABASE_URL" in r.stderr, r.stderr


def test_sigterm_while_postgres_is_frozen_still_exits_0(pg_url: str, pg_store: Store, stub, kb: Path):
    import signal
    import socket

    from .conftest import SECRET, TOKEN, Bot

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.url,
        "DATABASE_URL": pg_url.replace("postgresql+psycopg", "postgresql"),
        "NMS_DB_TIMEOUT": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "nms_bot", "serve", "--http", "--port", str(port), "--knowledge", str(kb)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        assert bot.mention("cooling", ts="1.0")[0] == 200
        stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))
        with postgres.frozen(pg_url):
            for i in range(1, 4):
                assert bot.mention("cooling", ts=f"1.{i}")[0] == 200
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 4, timeout=15)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)  # database calls still hang: the process must not
        assert proc.returncode == 0 and "every acknowledged answer was sent" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _up(bot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False


def test_overlong_ids_and_a_lone_surrogate_are_recorded_on_postgres(pg_url: str, pg_store: Store, stub, kb: Path):
    """A signed request with a 1,000-character team_id (PostgreSQL refuses a value longer than its
    column) and a question holding a lone surrogate (no driver encodes one): both answered and
    recorded, the team id cut to its column."""
    bot, stop = start_bot(stub, kb, pg_url, record_gaps=True)
    team = "T" + "9" * 999
    try:
        for n, text in enumerate(("cooling", "lithium \ud800 toxicity"), 1):
            ts = f"1700000100.00000{n}"
            event = {"type": "message", "channel_type": "im", "user": "U111", "text": text, "ts": ts, "channel": "D1"}
            body = {"team_id": team, "type": "event_callback", "event": event, "event_id": f"EvLong{n}"}
            assert bot.send({**body, "api_app_id": "A1", "event_time": 1700000100})[0] == 200
        rows = stub.wait_for(lambda: (r := pg_store.table_rows())["nms_answers"] and r["nms_gaps"] and r)
        assert [r["team"] for r in rows["nms_answers"]] == [team[:40]]
        assert [(r["team"], r["text"]) for r in rows["nms_gaps"]] == [(team[:40], "lithium toxicity")]
        assert len(stub.delivered_to("chat.postMessage")) == 2
    finally:
        stop()
    pg_store.claim_event("E" * 1000)
    pg_store.remember_thread("C1:" + "1" * 1000, 1.0)
    assert pg_store.claim_escalation("k" * 1000, "t" * 1000, team)
    pg_store.record_gap("none", "lithium \ud800 " + "level " * 200, team)
