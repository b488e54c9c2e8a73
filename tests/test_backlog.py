"""A slow, rate-limiting or failing Slack: acks never wait, every question is answered once."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .conftest import Bot, drained, start_bot
from .slack_stub import DROP

RATE_LIMITED = (429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"})


def buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_commands_and_buttons_are_acknowledged_while_answers_queue_behind_a_slow_rate_limited_slack(
    stub, kb: Path, tmp_path: Path, caplog
):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'b.db'}")
    stub.delay["chat.postMessage"] = 0.3  # every post is slow...
    stub.queued["chat.postMessage"] = [RATE_LIMITED] * 6  # ...and the first six wait 30 s
    try:
        with caplog.at_level(logging.INFO), ThreadPoolExecutor(max_workers=20) as pool:
            mentions = list(
                pool.map(
                    lambda i: bot.mention("dantrolene", ts=f"1700000000.{i:06d}", event_id=f"EvBurst{i}")[0], range(120)
                )
            )
            assert set(mentions) == {200}
            # The burst is still being answered (six posts wait 30 s): people use /nms and buttons.
            commands = list(pool.map(lambda _: bot.command("cooling"), range(10)))
            assert [status for status, _ in commands] == [200] * 10
            reply = json.loads(commands[0][1])
            assert reply["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
            presses = [bot.action(b["action_id"], b["value"], ephemeral=True)[0] for b in buttons(reply["blocks"])]
            presses += [bot.action("nms_feedback:helpful", "cooling|mention", user=f"U{i:03d}")[0] for i in range(5)]
            assert set(presses) == {200}, "every button press is acknowledged"
            # Every question is answered exactly once, the rate-limited ones after their wait.
            stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) >= 120, timeout=90)
            drained(bot)
        threads = [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")]
        assert len(threads) == 120 and len(set(threads)) == 120
        assert len(stub.delivered_to("chat.postEphemeral")) == 5  # the feedback thanks
        assert len(stub.delivered_to("/response/act")) >= 2  # topic buttons answered in place
        backlog_lines = [r for r in caplog.records if "answering backlog" in r.getMessage()]
        assert 1 <= len(backlog_lines) <= 2, "the backlog is logged once per burst, not per item"
        assert bot.services.answers.backlog().waiting == 0
    finally:
        stop()


def test_backlog_depth_and_age_are_readable(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'b.db'}", NMS_ANSWER_WORKERS="1")
    stub.delay["chat.postMessage"] = 0.5
    try:
        for i in range(4):
            assert bot.mention("cooling", ts=f"1.{i}")[0] == 200
        time.sleep(0.3)
        backlog = bot.services.answers.backlog()
        assert backlog.running == 1 and backlog.waiting == 3 and backlog.oldest_seconds > 0.2
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 4)
        backlog = stub.wait_for(lambda: (b := bot.services.answers.backlog()).running == 0 and b)
        assert backlog.waiting == 0 and backlog.oldest_seconds == 0
    finally:
        stop()


def test_server_errors_from_slack_are_retried_and_the_answer_arrives_once(bot: Bot):
    bot.stub.queued["chat.postMessage"] = [
        (500, {}, {"ok": False, "error": "internal_error"}),
        (502, {}, "<html>bad gateway</html>"),
    ]
    bot.mention("cooling")
    [post] = bot.stub.wait_for(lambda: bot.stub.delivered_to("chat.postMessage"), timeout=15)
    assert post["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    time.sleep(0.5)
    assert len(bot.stub.sent("chat.postMessage")) == 3 and len(bot.stub.delivered_to("chat.postMessage")) == 1


def test_share_in_channel_survives_5xx_a_dropped_connection_and_429(bot: Bot):
    reply = json.loads(bot.command("ect")[1])
    share = next(b for b in buttons(reply["blocks"]) if b["action_id"].startswith("nms_share"))
    bot.stub.queued["/response/act"] = [(503, {}, "unavailable"), (DROP, {}, "")]
    assert bot.action(share["action_id"], share["value"], ephemeral=True, user="U999")[0] == 200
    [shared] = bot.stub.wait_for(lambda: bot.stub.delivered_to("/response/act"), timeout=20)
    assert shared["response_type"] == "in_channel" and "Shared by <@U999>" in json.dumps(shared["blocks"])
    bot.stub.queued["/response/act"] = [(429, {"Retry-After": "1"}, "slow down")]
    assert bot.action(share["action_id"], share["value"], ephemeral=True, user="U998")[0] == 200
    bot.stub.wait_for(lambda: len(bot.stub.delivered_to("/response/act")) == 2, timeout=20)
    time.sleep(0.3)
    assert len(bot.stub.sent("/response/act")) == 5 and len(bot.stub.delivered_to("/response/act")) == 2


def test_a_burst_of_requests_logs_the_http_queue_once_not_per_request(stub, kb: Path, tmp_path: Path):
    import os
    import signal
    import socket
    import subprocess
    import sys

    from .conftest import SECRET, TOKEN

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "q.db"),
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
        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = list(pool.map(lambda i: bot.mention("cooling", ts=f"1.{i}")[0], range(400)))
        assert set(statuses) == {200}
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 400, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    queue_lines = [line for line in err.splitlines() if "waitress.queue" in line or "waiting for a free" in line]
    assert len(queue_lines) <= 1, queue_lines


def _up(bot: Bot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False
