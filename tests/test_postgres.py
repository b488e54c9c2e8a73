"""The PostgreSQL path for real: the store, and two app instances sharing one database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nms_bot.storage.report import build_report
from nms_bot.storage.store import Store, vote_key

from . import postgres
from .conftest import start_bot
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
    assert report["topics"] == [{"id": "cooling", "answers": 1, "helpful": 0, "not_helpful": 1}]
    assert report["gaps"] == [{"text": "lithium [MRN]", "status": "none", "count": 1}]


def test_two_instances_on_postgres_answer_each_event_once(pg_url: str, pg_store: Store, stub, kb: Path):
    first, stop1 = start_bot(stub, kb, pg_url)
    second, stop2 = start_bot(stub, kb, pg_url)
    try:
        for i in range(20):
            target, other = (first, second) if i % 2 else (second, first)
            assert target.mention("cooling", ts=f"1700000000.{i:06d}", event_id=f"EvPG{i}")[0] == 200
            assert other.mention("cooling", ts=f"1700000000.{i:06d}", event_id=f"EvPG{i}",
                                 headers={"X-Slack-Retry-Num": "1"})[0] == 200
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= 20, timeout=30)
        time.sleep(0.5)
        threads = [p["thread_ts"] for p in stub.sent("chat.postMessage")]
        assert len(threads) == 20 and len(set(threads)) == 20
    finally:
        stop1()
        stop2()


def test_an_edit_on_one_instance_updates_the_answer_another_gave_on_postgres(pg_url: str, pg_store: Store, stub,
                                                                             kb: Path):
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
        assert update["blocks"][0]["text"]["text"] == "Cooling for hyperthermia"
        time.sleep(0.5)
        assert len(stub.sent("chat.postMessage")) == 1
    finally:
        stop1()
        stop2()
