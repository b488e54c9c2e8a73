"""kill -9 with answers acknowledged but not sent: after a restart, or on another instance once the
dead one's lease runs out, every acknowledged question is answered, each once; an edit whose
chat.update was cut short updates the answer after the restart, once; in many-workspaces mode a
question taken up after a restart is answered with a token refreshed as for a live request, or
with the new token of a reinstall made while the process was down; a release deployed between the
crash and the restart (schema upgraded, knowledge edited) answers what the old one acknowledged."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from . import postgres
from .conftest import SECRET, TOKEN, Bot
from .payloads import payload
from .slack_stub import SlackStub
from .test_oauth import CLIENT, event_for, grant, install, tokens_used

RATE_LIMITED = (429, {"Retry-After": "60"}, {"ok": False, "error": "ratelimited"})
QUESTIONS = 6  # one mid-retry, five queued behind it (one worker)


def serve(stub: SlackStub, kb: Path, **env: str) -> tuple[subprocess.Popen, Bot]:
    """`nms-bot serve --http` in a process of its own, one answering worker; (process, Bot) once it is up."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nms_bot", "serve", "--http", "--port", str(port), "--knowledge", str(kb)],
        env={
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": stub.url,
            "NMS_ANSWER_WORKERS": "1",
            "NMS_REMINDERS": "0",
            "LOG_LEVEL": "INFO",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    stub.wait_for(lambda: _up(bot) or proc.poll() is not None, timeout=60)
    assert proc.poll() is None, proc.communicate()[1]
    return proc, bot


def _up(bot: Bot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False


def kill_9(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGKILL)
    return proc.communicate(timeout=30)[1]


def ask(bot: Bot, i: int, retry: bool = False) -> None:
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else None
    assert bot.mention("cooling", ts=f"1700000000.{i:06d}", event_id=f"EvKill{i}", headers=headers)[0] == 200


def sqlite_query(db: Path) -> Callable[[str], list[Any]]:
    def query(sql: str) -> list[Any]:
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchall()

    return query


def answered_once(stub: SlackStub, query: Callable[[str], list[Any]]) -> None:
    """Wait until the bot has finished (the queue is empty, every answer's ts recorded), then count."""
    stub.wait_for(
        lambda: (
            query("SELECT count(*) FROM nms_answer_queue") == [(0,)]
            and query("SELECT count(*) FROM nms_replies WHERE reply_ts IS NOT NULL") == [(QUESTIONS,)]
        ),
        timeout=60,
    )
    threads = [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")]
    assert sorted(threads) == [f"1700000000.{i:06d}" for i in range(QUESTIONS)], "each question answered once"


def restart_until_answered(stub: SlackStub, kb: Path, db: Path, query: Callable[[str], list[Any]]) -> str:
    """Start the many-workspaces app again on `db`, wait for its answer to reach Slack and its queue
    to empty, kill it; its log."""
    second, _ = serve(stub, kb, NMS_DB=str(db), **CLIENT)
    try:
        stub.wait_for(lambda: stub.delivered_to("chat.postMessage"), timeout=60)
        stub.wait_for(lambda: query("SELECT count(*) FROM nms_answer_queue") == [(0,)])
    finally:
        log = kill_9(second)
    return log


def test_kill_9_with_answers_queued_and_one_mid_retry_loses_none_on_sqlite(stub, kb: Path, tmp_path: Path):
    db = tmp_path / "kill.db"
    query = sqlite_query(db)
    stub.queued["chat.postMessage"] = [RATE_LIMITED]  # the first answer waits out a 429's Retry-After
    first, bot = serve(stub, kb, NMS_DB=str(db))
    try:
        for i in range(QUESTIONS):
            ask(bot, i)
        stub.wait_for(lambda: stub.sent("chat.postMessage"))  # the 429: the first answer is mid-retry
        # every question kept, held by the process that acknowledged it
        held = query("SELECT DISTINCT owner FROM nms_answer_queue WHERE claimed_until IS NOT NULL")
        assert [o.split(":")[1] for (o,) in held] == [str(first.pid)]
        assert query("SELECT count(*) FROM nms_answer_queue") == [(QUESTIONS,)]
        # its message is claimed and its event seen: neither may stop it being answered now
        assert query("SELECT count(*) FROM nms_replies WHERE reply_ts IS NULL") == [(1,)]
    finally:
        log = kill_9(first)
    assert stub.delivered_to("chat.postMessage") == [], "nothing was answered before the crash"
    second, bot = serve(stub, kb, NMS_DB=str(db))
    try:
        ask(bot, 0, retry=True)  # Slack's retry of the event that was mid-retry: acknowledged, not answered twice
        answered_once(stub, query)
    finally:
        log += kill_9(second)
    assert "taking up the questions of 1 stopped process(es)" in log
    assert "cooling" not in log and "Traceback" not in log


def test_a_release_deployed_between_the_crash_and_the_restart_answers_what_the_old_one_acknowledged(
    stub, kb: Path, tmp_path: Path
):
    db = tmp_path / "deploy.db"
    query = sqlite_query(db)
    stub.queued["chat.postMessage"] = [RATE_LIMITED]
    first, bot = serve(stub, kb, NMS_DB=str(db))
    try:
        for i in range(QUESTIONS):
            ask(bot, i)
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        assert query("SELECT count(*) FROM nms_answer_queue") == [(QUESTIONS,)]
    finally:
        log = kill_9(first)
    # The deploy: the release phase upgrades the schema, and the new release brings edited knowledge.
    upgrade = [sys.executable, "-m", "nms_bot", "db", "upgrade"]
    upgraded = subprocess.run(
        upgrade, env={**os.environ, "NMS_DB": str(db)}, capture_output=True, text=True, timeout=60
    )
    assert upgraded.returncode == 0, upgraded.stderr
    release = tmp_path / "release"
    shutil.copytree(kb, release)
    cooling = release / "topics" / "cooling.yaml"
    cooling.write_text(cooling.read_text().replace("Cooling for hyperthermia", "Cooling for hyperthermia in NMS", 1))
    second, bot = serve(stub, release, NMS_DB=str(db))
    try:
        answered_once(stub, query)
    finally:
        log += kill_9(second)
    posted = stub.delivered_to("chat.postMessage")
    assert all("Cooling for hyperthermia in NMS" in json.dumps(p) for p in posted), "answered by the new release"
    assert "Traceback" not in log


def test_kill_9_while_slack_holds_an_edits_chat_update_updates_the_answer_once_after_restart(
    stub, kb: Path, tmp_path: Path
):
    db = tmp_path / "edit.db"
    query = sqlite_query(db)
    reply_ts = "1700000501.000200"
    stub.queued["chat.postMessage"] = [(200, {}, {"ok": True, "channel": "D123", "ts": reply_ts})]
    first, bot = serve(stub, kb, NMS_DB=str(db))
    try:
        assert bot.send(payload("message_im"))[0] == 200  # "dantrolene?"
        stub.wait_for(lambda: query("SELECT reply_ts FROM nms_replies") == [(reply_ts,)])
        stub.wait_for(lambda: query("SELECT count(*) FROM nms_answer_queue") == [(0,)])
        stub.queued["chat.update"] = [RATE_LIMITED]  # Slack holds the edit's update: the bot waits it out
        assert bot.send(payload("message_im_changed"))[0] == 200  # edited to "rhabdo?"
        stub.wait_for(lambda: stub.sent("chat.update"))
        # the new verdict is recorded, and the edit is still kept: its update has not been accepted
        assert query("SELECT version FROM nms_replies") == [("1700000530.000000",)]
        assert query("SELECT count(*) FROM nms_answer_queue") == [(1,)]
    finally:
        log = kill_9(first)
    assert stub.delivered_to("chat.update") == [], "the answer was not updated before the crash"
    second, bot = serve(stub, kb, NMS_DB=str(db))
    try:
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert bot.send(payload("message_im_changed"), headers=retry)[0] == 200  # Slack's retry: not a second update
        stub.wait_for(lambda: stub.delivered_to("chat.update"), timeout=60)
        stub.wait_for(lambda: query("SELECT count(*) FROM nms_answer_queue") == [(0,)])
        stub.wait_for(lambda: query("SELECT claimed_by FROM nms_replies") == [(None,)])
    finally:
        log += kill_9(second)
    [update] = stub.delivered_to("chat.update")
    assert update["channel"] == "D123" and update["ts"] == reply_ts
    assert "rhabdomyolysis" in update["blocks"][0]["text"]["text"].lower()
    assert len(stub.delivered_to("chat.postMessage")) == 1, "the edit is not answered as a new question"
    assert "taking up the questions of 1 stopped process(es)" in log
    assert "rhabdo" not in log and "dantrolene" not in log and "Traceback" not in log


def test_after_a_restart_in_many_workspaces_mode_a_queued_question_is_answered_with_a_refreshed_token(
    stub, kb: Path, tmp_path: Path
):
    db = tmp_path / "oauth.db"
    query = sqlite_query(db)
    first_token, first_refresh = "xoxe.xoxb-1-beforethecrash", "xoxe-1-refreshbeforethecrash"
    renewed, renewed_refresh = "xoxe.xoxb-1-aftertherestart", "xoxe-1-refreshaftertherestart"
    first, bot = serve(stub, kb, NMS_DB=str(db), **CLIENT)
    try:
        # a rotating token, twelve hours to live: a live request uses it as it is
        install(bot, stub, grant(first_token, "T9", refresh_token=first_refresh, expires_in=43200))
        stub.queued["chat.postMessage"] = [RATE_LIMITED]  # the answer waits out a 429 when the process dies
        assert bot.send(event_for("T9", "dantrolene", "1700000600.000001"))[0] == 200
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        [(kept,)] = query("SELECT question FROM nms_answer_queue")
        assert "xox" not in kept, "no token in the queued question"
    finally:
        log = kill_9(first)
    assert tokens_used(stub, "chat.postMessage") == [first_token]
    assert stub.delivered_to("chat.postMessage") == []
    # the process stays down while the token expires
    for table in ("nms_slack_bots", "nms_slack_installations"):
        query(f"UPDATE {table} SET bot_token_expires_at = '2020-01-01 00:00:00.000000'")
    refreshed = {
        "ok": True,
        "access_token": renewed,
        "token_type": "bot",
        "refresh_token": renewed_refresh,
        "expires_in": 43200,
        "team": {"id": "T9"},
        "enterprise": None,
    }
    stub.queued["oauth.v2.access"] = [(200, {}, refreshed)]
    stub.auth[renewed] = {"team_id": "T9"}
    log += restart_until_answered(stub, kb, db, query)
    [refreshing] = [p for p in stub.sent("oauth.v2.access") if p.get("grant_type") == "refresh_token"]
    assert refreshing["refresh_token"] == first_refresh
    assert tokens_used(stub, "chat.postMessage") == [first_token, renewed]
    assert [p["channel"] for p in stub.delivered_to("chat.postMessage")] == ["CT9"]
    for secret in (first_token, first_refresh, renewed, renewed_refresh, "beforethecrash", "aftertherestart"):
        assert secret not in log
    assert "dantrolene" not in log and "Traceback" not in log


def test_a_workspace_reinstalled_while_the_process_is_down_gets_its_queued_answer_with_the_new_token(
    stub, kb: Path, tmp_path: Path
):
    from slack_sdk.oauth.installation_store import Installation

    from nms_bot.slack.common.settings import token_sealer
    from nms_bot.slack.workspaces.installations import DatabaseInstallationStore
    from nms_bot.storage.store import Store

    db = tmp_path / "reinstall.db"
    query = sqlite_query(db)
    old, new = "xoxb-9-beforethereinstall", "xoxb-9-afterthereinstall"
    first, bot = serve(stub, kb, NMS_DB=str(db), **CLIENT)
    try:
        install(bot, stub, grant(old, "T9"))
        stub.queued["chat.postMessage"] = [RATE_LIMITED]  # the answer waits out a 429 when the process dies
        assert bot.send(event_for("T9", "dantrolene", "1700000700.000001"))[0] == 200
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
    finally:
        log = kill_9(first)
    # While it is down, an admin reinstalls the app (through another instance): Bolt's OAuth flow
    # saves the new installation, whose token replaces the old one.
    store = Store(f"sqlite:///{db}")
    installations = DatabaseInstallationStore(store, CLIENT["SLACK_CLIENT_ID"], token_sealer(CLIENT["NMS_TOKEN_KEY"]))
    installations.save(
        Installation(app_id="A1", enterprise_id=None, team_id="T9", user_id="UADMIN", bot_token=new, bot_id="BBOT")
    )
    store.close()
    stub.auth[new] = {"team_id": "T9", "bot_id": "BBOT"}
    log += restart_until_answered(stub, kb, db, query)
    assert tokens_used(stub, "chat.postMessage") == [old, new]
    assert [p["channel"] for p in stub.delivered_to("chat.postMessage")] == ["CT9"]
    for secret in (old, new, "beforethereinstall", "afterthereinstall"):
        assert secret not in log
    assert "Traceback" not in log


@pytest.mark.skipif(bool(postgres.available()), reason=postgres.available() or "ok")
def test_on_postgres_another_instance_finishes_a_killed_ones_answers_after_its_lease(stub, kb: Path):
    import psycopg

    with postgres.cluster() as url:
        plain = url.replace("postgresql+psycopg", "postgresql")

        def query(sql: str) -> list[Any]:
            with psycopg.connect(plain) as conn:
                return conn.execute(sql).fetchall()

        env = {"DATABASE_URL": url, "NMS_ANSWER_LEASE": "20"}
        stub.queued["chat.postMessage"] = [RATE_LIMITED]
        dying, to_dying = serve(stub, kb, **env)
        other = None
        try:
            ask(to_dying, 0)
            stub.wait_for(lambda: stub.sent("chat.postMessage"))  # mid-retry on the instance about to die
            other, to_other = serve(stub, kb, **env)
            for i in range(1, QUESTIONS):
                ask(to_dying, i)
            # all held by the first instance (alive, its leases running) when it is killed
            held = query("SELECT DISTINCT owner, count(*) FROM nms_answer_queue WHERE claimed_until > now() GROUP BY 1")
            assert [(o.split(":")[1], n) for o, n in held] == [(str(dying.pid), QUESTIONS)]
            kill_9(dying)
            ask(to_other, 0, retry=True)  # Slack's retry reaches the live instance: not answered twice
            answered_once(stub, query)
        finally:
            if dying.poll() is None:
                kill_9(dying)
            log = kill_9(other) if other else ""
        assert "cooling" not in log and "Traceback" not in log
