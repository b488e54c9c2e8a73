"""SIGTERM mid-flight: what was acknowledged is answered before the process exits 0."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import SECRET, TOKEN, Bot
from .slack_stub import SlackStub

pytest.importorskip("websockets.sync.server")

from .test_socket_mode import FakeSocketSlack, event_envelope

QUESTIONS = 20


def start(args: list[str], stub: SlackStub, tmp_path: Path, kb: Path, **env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "s.db"),
        "NMS_ANSWER_WORKERS": "2",
        "LOG_LEVEL": "INFO",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "nms_bot", "serve", *args, "--knowledge", str(kb)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    """SIGTERM; the exit code and the log. Nothing may bypass the log on stdout."""
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    assert out == "", f"printed outside the log: {out!r}"
    return proc.returncode, err


def _get(url: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:  # not listening yet
        return None


def test_socket_mode_answers_every_acknowledged_question_before_exiting_on_sigterm(stub, kb: Path, tmp_path: Path):
    fake = FakeSocketSlack()
    stub.socket_url = fake.url
    stub.delay["chat.postMessage"] = 0.5  # two workers, 20 questions: about 5 s of answering left
    with socket.socket() as s:  # a free port for the health endpoint
        s.bind(("127.0.0.1", 0))
        health_port = s.getsockname()[1]
    proc = start([], stub, tmp_path, kb, SLACK_APP_TOKEN="xapp-1-A1-test", NMS_HEALTH_PORT=str(health_port))
    try:
        stub.wait_for(lambda: fake.connections == 1, timeout=30)
        health = stub.wait_for(lambda: _get(f"http://127.0.0.1:{health_port}/healthz"), timeout=10)
        assert health[0] == 200 and json.loads(health[1])["status"] == "ok"
        for i in range(QUESTIONS):
            envelope = event_envelope(f"env{i}", f"EvT{i}", "cooling")
            envelope["payload"]["event"]["ts"] = f"1700000000.{i:06d}"
            fake.outbox.put(envelope)
        stub.wait_for(lambda: len({a.get("envelope_id") for a in fake.acks}) == QUESTIONS, timeout=20)
        assert len(stub.delivered_to("chat.postMessage")) < QUESTIONS, "still answering when SIGTERM comes"
        code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        fake.close()
    threads = [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")]
    assert code == 0, err
    assert len(threads) == QUESTIONS and len(set(threads)) == QUESTIONS, "every acknowledged question answered once"
    assert "stopping: no new events" in err and "every acknowledged answer was sent" in err
    assert "starting in Socket Mode\n" in err and "Socket Mode mode" not in err
    assert "Traceback" not in err and "xoxb-" not in err and "Bolt app is running" not in err


def test_http_mode_answers_every_acknowledged_question_before_exiting_on_sigterm(stub, kb: Path, tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stub.delay["chat.postMessage"] = 0.5
    proc = start(["--http", "--port", str(port)], stub, tmp_path, kb, SLACK_SIGNING_SECRET=SECRET)
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        for i in range(QUESTIONS):
            assert bot.mention("cooling", ts=f"1700000000.{i:06d}")[0] == 200
        assert len(stub.delivered_to("chat.postMessage")) < QUESTIONS
        code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    threads = [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")]
    assert code == 0, err
    assert len(threads) == QUESTIONS and len(set(threads)) == QUESTIONS
    assert "every acknowledged answer was sent" in err and "Traceback" not in err


def test_drain_is_bounded_and_says_what_was_left(stub, kb: Path, tmp_path: Path):
    fake = FakeSocketSlack()
    stub.socket_url = fake.url
    stub.delay["chat.postMessage"] = 3
    proc = start([], stub, tmp_path, kb, SLACK_APP_TOKEN="xapp-1-A1-test", NMS_DRAIN_SECONDS="1")
    try:
        stub.wait_for(lambda: fake.connections == 1, timeout=30)
        for i in range(6):
            fake.outbox.put(event_envelope(f"env{i}", f"EvD{i}", "cooling"))
        stub.wait_for(lambda: len(fake.acks) == 6, timeout=20)
        code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        fake.close()
    assert code == 0 and "stopped after 1 s with" in err and "not sent" in err


def _up(bot: Bot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False
