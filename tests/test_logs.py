"""LOG_FORMAT=json: one JSON object per line, with no token and no question text."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from nms_bot.slack.common.logs import JsonFormatter, _NoSecrets
from nms_bot.storage.migrate import head

from .conftest import SECRET, TOKEN, Bot
from .test_shutdown import _up, start, stop

KEYS = {"time", "level", "logger", "event", "pid"}


def test_json_logs_of_a_running_bot_parse_line_by_line_and_hold_no_token_or_question(stub, kb: Path, tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start(
        ["--http", "--port", str(port)],
        stub,
        tmp_path,
        kb,
        SLACK_SIGNING_SECRET=SECRET,
        LOG_FORMAT="json",
        NMS_RELOAD_SECONDS="0.2",
    )
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        # An answer Slack refuses, a broken knowledge edit, a signed but malformed request: each logged.
        stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "not_in_channel"})]
        assert bot.mention("dantrolene zebrafinch4242 MRN 7654321", ts="1700000000.000001")[0] == 200
        stub.wait_for(lambda: stub.sent("chat.postMessage"))
        (kb / "topics" / "cooling.yaml").write_text("id: [broken zebrafinch4242\n")
        assert bot.post(json.dumps({"type": "event_callback", "event": {"type": 7}}), "application/json")[0] == 400
        time.sleep(1.0)
        code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0
    lines = err.splitlines()
    entries = [json.loads(line) for line in lines]  # every line parses
    assert len(entries) >= 6
    for entry in entries:
        assert set(entry) >= KEYS and entry["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    events = " ".join(e["event"] for e in entries)
    assert "answering failed: Slack API error not_in_channel" in events
    assert "knowledge edit rejected" in events and "malformed payload (event.type)" in events
    assert "every acknowledged answer was sent" in events
    assert f"database named by NMS_DB upgraded from schema revision (empty) to {head()}" in events
    for secret in ("zebrafinch", "7654321", TOKEN, SECRET):
        assert secret not in err


def test_json_lines_mask_tokens_in_messages_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_NoSecrets())
    log = logging.getLogger("nms_bot.test_json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("token %s seen", "xoxb-1111-2222-abcdef")
        try:
            raise ValueError("bad xoxe.xoxb-1-rotatedtoken and xapp-1-A1-secret")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "token [redacted-token] seen" and first["logger"] == "nms_bot.test_json"
    assert second["error"] == "ValueError" and "Traceback" in second["traceback"]
    assert "rotatedtoken" not in stream.getvalue() and "A1-secret" not in stream.getvalue()
    assert "1111-2222" not in stream.getvalue()


def test_an_unknown_log_format_stops_serve_with_one_line(tmp_path: Path):
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "LOG_FORMAT": "xml",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-2",
            "NMS_DB": str(tmp_path / "x.db"),
        },
    )
    assert r.returncode == 2 and r.stderr == "nms-bot: LOG_FORMAT must be text or json, not 'xml'\n"


BURST = """
import threading
from waitress.task import ThreadedTaskDispatcher
from nms_bot.slack.common.logs import configure_logging

configure_logging()
release, started = threading.Event(), threading.Semaphore(0)

class Task:  # a request being served: it holds its thread until released
    def defer(self): pass
    def cancel(self): pass
    def service(self):
        started.release()
        release.wait()

dispatcher = ThreadedTaskDispatcher()
dispatcher.set_thread_count(2)
for _ in range(2):
    dispatcher.add_task(Task())
    started.acquire()  # both threads busy
for _ in range(50):  # each of these waits for a thread: waitress warns about every one
    dispatcher.add_task(Task())
release.set()
dispatcher.shutdown(cancel_pending=False)
"""


def test_a_burst_waiting_for_server_threads_is_logged_once():
    """waitress warns "Task queue depth is N" for every request that waits: the log says it once."""
    r = subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "WARNING waitress.queue: HTTP requests are waiting for a free server thread (1 queued)" in lines[0]


def test_oauth_codes_are_masked_in_any_line_and_status_codes_are_not():
    from nms_bot.slack.common.logs import mask

    code = "1234567890123.9876543210987.0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert mask(f"GET /slack/oauth_redirect?code={code}&state=abc") == (
        "GET /slack/oauth_redirect?code=[redacted-code]&state=abc"
    )
    assert mask(f"exchange failed for {code}") == "exchange failed for [redacted-code]"
    assert mask(f'{{"code": "{code}"}}') == '{"code": "[redacted-code]"}'
    assert mask("HTTP status code: 429, exit code: 2") == "HTTP status code: 429, exit code: 2"
