"""Review reminders in Slack: one DM per owner, once across instances sharing a database."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nms_bot.errors import ConfigurationError
from nms_bot.slack.common.settings import load_settings
from nms_bot.slack.delivery.reminders import Reminders, next_check

from . import postgres
from .conftest import SECRET, TOKEN, start_bot
from .test_knowledge import edit
from .test_signoff import add_owners, approve

TODAY = dt.date(2026, 11, 25)
ADA, GRACE, MAY = "U0123ABCD1", "U0123ABCD2", "W0123ABCD3"


def owner(slack_id: str, name: str) -> str:
    return f"  - id: {slack_id}\n    name: {name}\n"


@pytest.fixture
def owned_kb(kb: Path) -> Path:
    """Ada owns dantrolene (changed since approval) and ECT (overdue); Grace owns ECT;
    May owns cooling (approved, not due) and fluids (never approved: no reminder)."""
    add_owners(kb / "topics" / "dantrolene.yaml", "owners:\n" + owner(ADA, "Dr Ada Lovelace"))
    add_owners(kb / "topics" / "ect.yaml", "owners:\n" + owner(ADA, "Dr Ada Lovelace") + owner(GRACE, "Dr Grace"))
    add_owners(kb / "topics" / "cooling.yaml", "owners:\n" + owner(MAY, "Dr May"))
    add_owners(kb / "topics" / "fluids.yaml", "owners:\n" + owner(MAY, "Dr May"))
    approve(kb, "dantrolene", "cooling", by="Dr Ada Lovelace", on=dt.date(2026, 11, 1))
    approve(kb, "ect", by="Dr Old", on=dt.date(2020, 1, 1))
    edit(kb / "topics" / "dantrolene.yaml", "has been used in some cases", "has been used in many cases")
    return kb


def dms(stub) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for post in stub.sent("chat.postMessage"):
        out.setdefault(post["channel"], []).append(post)
    return out


@pytest.fixture(scope="module")
def pg_url():
    if postgres.available():
        pytest.skip(postgres.available())
    with postgres.cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def shared_db(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return request.getfixturevalue("pg_url")


def test_two_instances_sharing_a_database_send_each_owner_one_dm(stub, owned_kb: Path, shared_db: str):
    bots = [start_bot(stub, owned_kb, shared_db) for _ in range(2)]
    try:
        reminders = [Reminders(b.live.path, b.services.store, b.app.client, hour=9) for b, _ in bots]

        def check_all(day: dt.date) -> None:  # both instances at once, as at 09:00 in production
            threads = [threading.Thread(target=r.check, args=(day,)) for r in reminders for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        check_all(TODAY)
        sent = dms(stub)
        assert sorted(sent) == [ADA, GRACE] and all(len(posts) == 1 for posts in sent.values())
        ada = sent[ADA][0]["text"]
        assert ada.startswith("Hello Dr Ada Lovelace: topics you own in nms-bot need clinical review.")
        assert "*Dantrolene* (`dantrolene`): changed since Dr Ada Lovelace approved it on 2026-11-01" in ada
        assert (
            "*Electroconvulsive therapy (ECT)* (`ect`): review overdue since 2020-06-29 (approved by Dr Old "
            "on 2020-01-01)" in ada
        )
        assert "`nms-bot review` shows what changed" in ada and "nms-bot review approve TOPIC --by" in ada
        grace = sent[GRACE][0]
        assert "ECT" in grace["text"] and "Dantrolene" not in grace["text"]
        assert any("review overdue" in b["text"]["text"] for b in grace["blocks"] if b["type"] == "section")

        check_all(TODAY)  # the same day again, and the next: nothing new to say
        check_all(TODAY + dt.timedelta(days=1))
        assert len(stub.sent("chat.postMessage")) == 2

        # Approved again, then changed again: a new period, one more DM, only to dantrolene's owner.
        approve(owned_kb, "dantrolene", by="Dr Ada Lovelace", on=TODAY)
        edit(owned_kb / "topics" / "dantrolene.yaml", "in many cases", "in most cases")
        check_all(TODAY + dt.timedelta(days=2))
        sent = dms(stub)
        assert len(sent[ADA]) == 2 and len(sent[GRACE]) == 1
        assert "Dantrolene" in sent[ADA][1]["text"] and "ECT" not in sent[ADA][1]["text"]
    finally:
        for _, stop in bots:
            stop()


def test_a_dm_slack_refuses_is_tried_again_at_the_next_check(stub, owned_kb: Path, tmp_path: Path, caplog):
    bot, stop = start_bot(stub, owned_kb, f"sqlite:///{tmp_path / 'r.db'}")
    try:
        stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "user_not_found"})]
        reminders = Reminders(bot.live.path, bot.services.store, bot.app.client, hour=9)
        with caplog.at_level(logging.ERROR, logger="nms_bot.reminders"):
            assert reminders.check(TODAY) == 1
        assert f"review reminder to owner {ADA} failed (Slack API error user_not_found)" in caplog.text
        assert reminders.check(TODAY + dt.timedelta(days=1)) == 1
        assert [p["channel"] for p in stub.sent("chat.postMessage")] == [ADA, GRACE, ADA]
        assert reminders.check(TODAY + dt.timedelta(days=2)) == 0
    finally:
        stop()


def test_a_broken_knowledge_base_skips_the_check_and_says_so(stub, owned_kb: Path, tmp_path: Path, caplog):
    bot, stop = start_bot(stub, owned_kb, f"sqlite:///{tmp_path / 'r.db'}")
    try:
        (owned_kb / "topics" / "ect.yaml").write_text("id: [")
        with caplog.at_level(logging.ERROR, logger="nms_bot.reminders"):
            assert Reminders(bot.live.path, bot.services.store, bot.app.client, hour=9).check(TODAY) == 0
        assert "review reminders skipped: the knowledge base has problems" in caplog.text
        assert stub.sent("chat.postMessage") == []
    finally:
        stop()


def test_the_daily_check_runs_at_the_configured_hour(stub, owned_kb: Path, tmp_path: Path):
    assert next_check(dt.datetime(2026, 11, 25, 3, 30), 9) == dt.datetime(2026, 11, 25, 9)
    assert next_check(dt.datetime(2026, 11, 25, 9, 0), 9) == dt.datetime(2026, 11, 26, 9)
    assert next_check(dt.datetime(2026, 11, 25, 22, 0), 9) == dt.datetime(2026, 11, 26, 9)
    bot, stop = start_bot(stub, owned_kb, f"sqlite:///{tmp_path / 'r.db'}")
    night = Reminders(
        bot.live.path, bot.services.store, bot.app.client, hour=9, now=lambda: dt.datetime(2026, 11, 25, 2, 0)
    )
    morning = Reminders(
        bot.live.path, bot.services.store, bot.app.client, hour=9, now=lambda: dt.datetime(2026, 11, 25, 9, 0, 5)
    )
    try:
        night.start()
        morning.start()
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= 2)
        assert sorted(dms(stub)) == [ADA, GRACE]
    finally:
        night.stop()
        morning.stop()
        stop()


def test_reminder_settings():
    base = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    assert load_settings(True, env=base).reminder_hour == 9
    assert load_settings(True, env={**base, "NMS_REMINDER_HOUR": "7"}).reminder_hour == 7
    assert load_settings(True, env={**base, "NMS_REMINDERS": "0"}).reminder_hour is None
    for bad in ({"NMS_REMINDER_HOUR": "24"}, {"NMS_REMINDER_HOUR": "9am"}, {"NMS_REMINDERS": "maybe"}):
        with pytest.raises(ConfigurationError, match=next(iter(bad))):
            load_settings(True, env={**base, **bad})


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_the_running_app_sends_reminders_in_both_modes(stub, owned_kb: Path, tmp_path: Path, mode: str):
    now = dt.datetime.now()
    if now.minute == 59 and now.second > 30:  # the check runs within its hour: don't start at the edge
        time.sleep(61 - now.second)
    approve(owned_kb, "ect", by="Dr Old", on=dt.date(2020, 1, 1))  # overdue whatever today is
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "s.db"),
        "NMS_REMINDER_HOUR": str(dt.datetime.now().hour),
        "NMS_RELOAD_SECONDS": "0",
    }
    args = [sys.executable, "-m", "nms_bot", "serve", "--knowledge", str(owned_kb)]
    if mode == "http":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            args += ["--http", "--port", str(s.getsockname()[1])]
        env["SLACK_SIGNING_SECRET"] = SECRET
    else:
        env["SLACK_APP_TOKEN"] = "xapp-1-A1-test"
        stub.socket_url = "ws://127.0.0.1:9/link"  # no Socket Mode server: reminders do not depend on it
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= 2, timeout=30)
        assert sorted(dms(stub)) == [ADA, GRACE]
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
