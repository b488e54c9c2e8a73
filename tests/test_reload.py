"""Live reload: good edits are served within seconds, broken edits are refused, no torn reads."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from nms_bot.core.live import LiveEngine

from .conftest import SECRET, TOKEN, Bot


def bump(kb: Path, version: str, title: str) -> None:
    meta = kb / "meta.yaml"
    text = meta.read_text()
    start = text.index('version: "') + len('version: "')
    meta.write_text(text[:start] + version + text[text.index('"', start) :])
    topic = kb / "topics" / "cooling.yaml"
    lines = topic.read_text().splitlines()
    lines[1] = f'title: "{title}"'
    topic.write_text("\n".join(lines) + "\n")


def test_good_edit_is_served_within_seconds(bot: Bot, kb: Path):
    bot.live.start_watching(0.2)
    bump(kb, "2026-11-25.2", "Cooling, revised")
    deadline = time.monotonic() + 10
    while json.loads(bot.get("/healthz")[1])["knowledge_version"] != "2026-11-25.2":
        assert time.monotonic() < deadline, "edit not picked up"
        time.sleep(0.1)
    bot.mention("cooling blankets")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["text"]["text"] == "NMS: Cooling, revised"
    assert "knowledge 2026-11-25.2" in json.dumps(post["blocks"])


def test_broken_edit_is_refused_and_logged_while_old_content_is_served(bot: Bot, kb: Path, caplog):
    bot.live.start_watching(0.2)
    with caplog.at_level(logging.ERROR, logger="nms_bot.reload"):
        (kb / "topics" / "ect.yaml").write_text("id: ect\ntitle: [unclosed\n")
        deadline = time.monotonic() + 10
        while "ect.yaml:" not in caplog.text:
            assert time.monotonic() < deadline, "broken edit not noticed"
            time.sleep(0.1)
    assert "invalid YAML" in caplog.text and "still serving 2026-11-25.1" in caplog.text
    assert json.loads(bot.get("/healthz")[1])["knowledge_version"] == "2026-11-25.1"
    bot.mention("ECT")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["text"]["text"] == "NMS: Electroconvulsive therapy (ECT)"


def test_answers_never_mix_two_versions_under_concurrent_questions(kb: Path):
    live = LiveEngine(kb, approved_only=False)
    stop = threading.Event()
    torn: list[str] = []
    answered = [0]

    def ask() -> None:
        while not stop.is_set():
            engine = live.current  # what a listener does: one engine per answer
            answer = engine.ask("cooling blankets")
            version = answer.knowledge.version
            if not answer.topic.title.endswith(version[-1]):
                torn.append(f"{answer.topic.title} / {version}")
            answered[0] += 1
            time.sleep(0.0005)  # let the reloading thread have the interpreter too

    ect = kb / "topics" / "ect.yaml"
    good_ect = ect.read_text()
    bump(kb, "2026-11-25.1", "Cooling 1")
    live.reload(force=True)
    workers = [threading.Thread(target=ask) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        for i in range(2, 8):
            bump(kb, f"2026-11-25.{i % 10}", f"Cooling {i % 10}")
            assert live.reload(force=True)
            ect.write_text("broken: [")
            assert not live.reload(force=True)  # refused...
            assert live.current.knowledge.version == f"2026-11-25.{i % 10}"  # ...old one kept
            ect.write_text(good_ect)
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert torn == [] and answered[0] > 0


def test_serve_http_reloads_on_sighup(kb: Path, stub, tmp_path: Path):
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "s.db"),
        "NMS_RELOAD_SECONDS": "0",
        "PORT": "0",
    }
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nms_bot", "serve", "--http", "--port", str(port), "--knowledge", str(kb)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def version() -> str | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    return json.loads(r.read())["knowledge_version"]
            except OSError:
                return None

        stub.wait_for(version, timeout=30)
        bump(kb, "2026-11-25.7", "Cooling 7")
        time.sleep(0.5)
        assert version() == "2026-11-25.1"  # no polling: only SIGHUP reloads here
        proc.send_signal(signal.SIGHUP)
        stub.wait_for(lambda: version() == "2026-11-25.7", timeout=10)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, "SIGTERM stops the server cleanly"
    assert TOKEN not in err and SECRET not in err


def test_a_file_whose_permissions_change_is_read_again_without_waiting_for_sighup(kb: Path, caplog):
    """chmod leaves size and mtime alone; a file made unreadable must still be noticed (and then
    refused with `file: cannot read file`) by the watcher, not only on the next SIGHUP."""
    live = LiveEngine(kb, approved_only=False)
    assert not live.reload(), "nothing changed"
    os.chmod(kb / "topics" / "ect.yaml", 0o600)
    with caplog.at_level(logging.INFO, logger="nms_bot.reload"):
        assert live.reload(), "a permission change is looked at"
    assert "knowledge 2026-11-25.1 loaded" in caplog.text
