from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from nms_bot.core.engine import Engine
from nms_bot.core.loader import default_knowledge_path

from .blockkit import check_message, check_view, unfurls
from .slack_stub import SlackStub

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
KNOWLEDGE = default_knowledge_path()
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"[:16] + "0123456789abcdef"
TOKEN = "xoxb-1234-5678-testtoken"


@pytest.fixture(scope="session", autouse=True)
def engine_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nms-bot ask`'s engine cache, for every test and every process it starts: never the real home's."""
    where = tmp_path_factory.mktemp("engine-cache")
    os.environ["NMS_CACHE_DIR"] = str(where)
    return where


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load(KNOWLEDGE, approved_only=False)


@pytest.fixture(scope="session")
def big_engine(engine: Engine) -> Engine:
    """A generated knowledge base of 2,000 topics (bench/bench.py's generator)."""
    from bench.bench import synthetic

    return synthetic(engine, 2000)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge base."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class Bot:
    """The app served over HTTP on loopback, talking to a SlackStub."""

    def __init__(self, url: str, stub: SlackStub, services: Any, live: Any):
        self.url, self.stub, self.services, self.live = url, stub, services, live
        self._n = 0

    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        path: str = "/slack/events",
    ) -> tuple[int, str]:
        h = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        req = urllib.request.Request(self.url + path, data=body.encode(), headers=h, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def send(self, body: dict[str, Any], **kw: Any) -> tuple[int, str]:
        """A whole Events API payload (tests/payloads.py), signed."""
        return self.post(json.dumps(body), "application/json", **kw)

    def event(self, event: dict[str, Any], event_id: str | None = None, **kw: Any) -> tuple[int, str]:
        self._n += 1
        body = {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{self._n:06d}{id(self)}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json", **kw)

    def next_ts(self) -> str:
        """A new message ts: Slack gives every message its own."""
        self._n += 1
        return f"1700000{self._n:03d}.{self._n:06d}"

    def mention(self, text: str, ts: str | None = None, thread_ts: str | None = None, **kw: Any) -> tuple[int, str]:
        ts = ts or self.next_ts()
        event = {
            "type": "app_mention",
            "user": "U111",
            "text": f"<@UBOT> {text}",
            "ts": ts,
            "channel": "C123",
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kw)

    def dm(self, text: str, **extra: Any) -> tuple[int, str]:
        event = {
            "type": "message",
            "channel_type": "im",
            "user": "U111",
            "text": text,
            "ts": self.next_ts(),
            "channel": "D123",
            **extra,
        }
        return self.event(event)

    def command(self, text: str, **kw: Any) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "hosp",
            "channel_id": "C123",
            "channel_name": "rounds",
            "user_id": "U111",
            "user_name": "dr",
            "command": "/nms",
            "text": text,
            "api_app_id": "A1",
            "response_url": self.stub.response_url("cmd"),
            "trigger_id": "123.456.abc",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def action(
        self,
        action_id: str,
        value: str,
        *,
        ephemeral: bool = False,
        channel: str = "C123",
        message_ts: str = "1700000002.000300",
        thread_ts: str | None = None,
        user: str = "U111",
    ) -> tuple[int, str]:
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "dr", "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "container": container,
            "trigger_id": "1.2.x",
            "team": {"id": "T1", "domain": "hosp"},
            "channel": {"id": channel, "name": "rounds"},
            "response_url": self.stub.response_url("act"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "type": "button",
                    "value": value,
                    "text": {"type": "plain_text", "text": "x"},
                    "action_ts": "1700000003.1",
                }
            ],
        }
        if not ephemeral:
            payload["message"] = {
                "type": "message",
                "ts": message_ts,
                "user": "UBOT",
                "bot_id": "BBOT",
                "text": "answer",
                **({"thread_ts": thread_ts} if thread_ts else {}),
            }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        """A shortcut, button press or view submission as Slack posts it: form-encoded `payload`."""
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def thread_reply(
        self, text: str, thread_ts: str, ts: str | None = None, user: str = "U222", channel: str = "C123", **extra: Any
    ) -> tuple[int, str]:
        """A reply in a channel thread (message.channels); `extra` event fields (bot_id, subtype...)."""
        ts = ts or self.next_ts()
        return self.event(
            {
                "type": "message",
                "channel_type": "channel",
                "user": user,
                "text": text,
                "ts": ts,
                "thread_ts": thread_ts,
                "parent_user_id": "U111",
                "channel": channel,
                "event_ts": ts,
                **extra,
            }
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture
def stub():
    s = SlackStub()
    yield s
    s.close()


def start_bot(
    stub: SlackStub, knowledge: Path, db_url: str, record_gaps: bool = False, db_timeout: float = 2.0, **env_extra: str
):
    """The app as `nms-bot serve --http` runs it, on a free loopback port; returns (Bot, stop)."""
    from nms_bot.slack.common.settings import load_settings
    from nms_bot.slack.serve.server import create, make_http_server, run_in_thread
    from nms_bot.storage.store import Store

    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.url,
        "NMS_RECORD_GAPS": "1" if record_gaps else "0",
        **env_extra,
    }
    settings = load_settings(http=True, port=0, env=env)
    app, live, services = create(settings, knowledge, Store(db_url, timeout=db_timeout))
    server = make_http_server(settings, app, live, host="127.0.0.1", threads=8, metrics=services.metrics)
    thread = run_in_thread(server, "http")
    bot = Bot(f"http://127.0.0.1:{server.effective_port}", stub, services, live)
    bot.app = app

    def stop() -> None:
        live.stop()
        services.answers.close()
        services.urgent.close()

        def close_all() -> None:  # inside the server's own loop thread, which then ends
            for channel in list(server._map.values()):
                channel.close()

        server.task_dispatcher.shutdown(timeout=2)  # requests being served finish first
        try:
            server.trigger.pull_trigger(close_all)
        except OSError:  # the trigger's pipe is gone (its descriptor closed under it): close from here
            close_all()
        thread.join(5)
        services.store.close()

    return bot, stop


def finished(services: Any) -> bool:
    """Has the bot finished with everything it acknowledged? No question left in the durable
    answering queue (shared by instances), nothing waiting or running on its answering queue."""
    backlog = services.answers.backlog()
    if backlog.waiting or backlog.running:
        return False
    return not services.store.table_rows()["nms_answer_queue"]


def drained(bot: Bot, timeout: float = 10.0) -> None:
    """Wait until the bot has finished with everything it acknowledged (then count what it sent)."""
    bot.stub.wait_for(lambda: finished(bot.services), timeout)


def check_everything_sent(stub: SlackStub) -> None:
    """Every message and view the bot sent passes slack_sdk's Block Kit validation and Slack's limits,
    and no post unfurls links into previews."""
    for method, params in list(stub.calls):
        if method in ("views.publish", "views.open"):
            check_view(params["view"])
        elif params.get("blocks"):
            check_message(params)
        if method == "chat.postMessage" or (method.startswith("/response/") and params.get("text")):
            assert not unfurls(params), (method, params.get("unfurl_links"), params.get("unfurl_media"))


@pytest.fixture
def bot(stub: SlackStub, kb: Path, tmp_path: Path):
    b, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'bot.db'}", record_gaps=True)
    yield b
    stop()
    check_everything_sent(stub)


def run_unprivileged(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`nms-bot ARGS` as a user without root's power to read and write anything: as root (where
    file modes do not bind), as `nobody`, after loading the program, whose own files nobody may
    not be able to read."""
    code = (
        "import os, sys\nimport nms_bot.cli.main as m, nms_bot.slack.serve.server, nms_bot.storage.report\n"
        "import nms_bot.storage.migrate as mg\nmg.head()\n"
        "if os.geteuid() == 0:\n    os.setgid(65534); os.setuid(65534)\n"
        "sys.exit(m.main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd="/",
    )
