"""Socket Mode runs the same listeners: a local websocket server stands in for Slack's."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
import zlib
from pathlib import Path

import pytest

websockets_sync = pytest.importorskip("websockets.sync.server")

from nms_bot.slack.common.settings import load_settings  # noqa: E402
from nms_bot.slack.serve.server import create, make_socket_handler  # noqa: E402
from nms_bot.storage.store import Store  # noqa: E402

from .conftest import TOKEN, check_everything_sent, finished  # noqa: E402
from .payloads import envelope, payload  # noqa: E402


class FakeSocketSlack:
    """Hands out envelopes to the connected client and collects its acknowledgements."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict] = queue.Queue()
        self.acks: list[dict] = []
        self.connections = 0
        self.stopped = threading.Event()
        self.server = websockets_sync.serve(self.handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, ws) -> None:
        self.connections += 1
        mine = self.connections
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "local"},
                    "connection_info": {"app_id": "A1"},
                }
            )
        )

        def reader() -> None:
            try:
                for message in ws:
                    self.acks.append(json.loads(message))
            except Exception:
                pass

        threading.Thread(target=reader, daemon=True).start()
        while not self.stopped.is_set():
            if mine != self.connections:  # as Slack does: deliver on the newest connection
                time.sleep(0.05)
                continue
            try:
                envelope = self.outbox.get(timeout=0.1)
            except queue.Empty:
                continue
            if mine != self.connections:  # a newer connection came while this one waited
                self.outbox.put(envelope)
                continue
            try:
                ws.send(json.dumps(envelope))
            except Exception:  # this connection is gone: the next one delivers it
                self.outbox.put(envelope)
                return
            if envelope.get("type") == "disconnect":
                return  # as Slack does: nothing more on a connection it asked to refresh

    def close(self) -> None:
        self.stopped.set()
        self.server.shutdown()


def event_envelope(envelope_id: str, event_id: str, text: str, retry: int = 0) -> dict:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": {
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1,
            "event": {
                "type": "app_mention",
                "user": "U1",
                "text": f"<@UBOT> {text}",
                "ts": _ts(event_id),
                "channel": "C1",
                "event_ts": "1.1",
            },
        },
    }


def _ts(event_id: str) -> str:
    """A message's own ts: the same event (a redelivery) keeps it, another event has its own."""
    return f"1700000000.{zlib.crc32(event_id.encode()) % 1_000_000:06d}"


@pytest.fixture
def fake(stub, kb: Path, tmp_path: Path):
    """The app in Socket Mode, connected to a FakeSocketSlack."""
    fake = FakeSocketSlack()
    stub.socket_url = fake.url
    settings = load_settings(
        http=False, env={"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-A1-test", "SLACK_API_URL": stub.url}
    )
    app, _, services = create(settings, kb, Store(f"sqlite:///{tmp_path / 's.db'}"))
    handler = make_socket_handler(settings, app)
    handler.connect()
    fake.services = services
    yield fake
    handler.close()
    fake.close()
    services.store.close()
    check_everything_sent(stub)


def test_socket_mode_answers_events_and_commands_once(stub, fake: FakeSocketSlack):
    fake.outbox.put(event_envelope("env1", "EvS1", "dantrolene"))
    fake.outbox.put(event_envelope("env2", "EvS1", "dantrolene", retry=1))  # redelivery
    fake.outbox.put(
        {
            "envelope_id": "env3",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "command": "/nms",
                "text": "ect",
                "user_id": "U1",
                "team_id": "T1",
                "channel_id": "C1",
                "response_url": stub.response_url("sm"),
            },
        }
    )
    stub.wait_for(lambda: {a.get("envelope_id") for a in fake.acks} >= {"env1", "env2", "env3"})
    [post] = stub.wait_for(lambda: stub.sent("chat.postMessage"))
    assert post["blocks"][0]["text"]["text"] == "NMS: Dantrolene" and post["thread_ts"] == _ts("EvS1")
    command_ack = next(a for a in fake.acks if a["envelope_id"] == "env3")
    assert command_ack["payload"]["blocks"][0]["text"]["text"] == "NMS: Electroconvulsive therapy (ECT)"
    assert command_ack["payload"]["response_type"] == "ephemeral"
    stub.wait_for(lambda: finished(fake.services))
    assert len(stub.sent("chat.postMessage")) == 1
    assert any(m == "apps.connections.open" for m, _ in stub.calls)


def test_socket_mode_reconnects_when_slack_asks_for_a_refresh(stub, fake: FakeSocketSlack):
    stub.wait_for(lambda: fake.connections == 1)
    fake.outbox.put({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "local"}})
    stub.wait_for(lambda: fake.connections >= 2, timeout=20)
    assert sum(m == "apps.connections.open" for m, _ in stub.calls) >= 2
    fake.outbox.put(event_envelope("env9", "EvS9", "cooling"))
    [post] = stub.wait_for(lambda: stub.sent("chat.postMessage"), timeout=20)
    assert post["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"


def acked(fake: FakeSocketSlack, *envelope_ids: str) -> bool:
    return {a.get("envelope_id") for a in fake.acks} >= set(envelope_ids)


def test_socket_mode_updates_an_edited_question_in_place(stub, fake: FakeSocketSlack):
    stub.queued["chat.postMessage"] = [(200, {}, {"ok": True, "channel": "C123", "ts": "1700000101.000200"})]
    fake.outbox.put(envelope(payload("app_mention"), "envQ"))
    [post] = stub.wait_for(lambda: stub.sent("chat.postMessage"))
    assert post["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    fake.outbox.put(envelope(payload("app_mention_edited"), "envE"))
    [update] = stub.wait_for(lambda: stub.sent("chat.update"))
    assert (
        update["ts"] == "1700000101.000200" and update["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    )
    stub.wait_for(lambda: acked(fake, "envQ", "envE"))
    stub.wait_for(lambda: finished(fake.services))
    assert len(stub.sent("chat.postMessage")) == 1


def test_socket_mode_answers_a_dm_with_an_attachment_without_reading_it(stub, fake: FakeSocketSlack):
    fake.outbox.put(envelope(payload("message_im_file_share", stub_url=stub.url), "envF"))
    [post] = stub.wait_for(lambda: stub.sent("chat.postMessage"))
    assert post["channel"] == "D123" and post["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    stub.wait_for(lambda: acked(fake, "envF"))
    assert [m for m, _ in stub.calls if m.startswith(("GET", "files."))] == []


def test_socket_mode_acknowledges_events_without_a_listener(stub, fake: FakeSocketSlack):
    # Unacknowledged envelopes are delivered again and count as failures against the app.
    for i, name in enumerate(("reaction_added", "app_uninstalled_grid", "member_joined_channel")):
        fake.outbox.put(envelope(payload(name), f"envU{i}"))
    stub.wait_for(lambda: acked(fake, "envU0", "envU1", "envU2"))


class FreezableProxy:
    """TCP between the bot and the fake Slack; `freeze()` stops forwarding on the connections
    open now without closing them: a dead connection, as after a NAT or firewall drops it."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen: set[int] = set()
        self.links: list[int] = []
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self.frozen.update(self.links)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            link = len(self.links)
            self.links.append(link)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(link, src, dst), daemon=True).start()

    def _pump(self, link: int, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while link in self.frozen:
                    time.sleep(1)  # hold the data: nothing passes, nothing closes
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:  # the fake's side of a frozen connection ends at once, not after a timeout
            sock.close()


def test_socket_mode_notices_a_dead_connection_and_reconnects_within_about_15_seconds(stub, kb: Path, tmp_path: Path):
    fake = FakeSocketSlack()
    proxy = FreezableProxy(int(fake.url.rsplit(":", 1)[1].split("/")[0]))
    stub.socket_url = f"ws://127.0.0.1:{proxy.port}/link"
    settings = load_settings(
        http=False, env={"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-1-A1-test", "SLACK_API_URL": stub.url}
    )
    app, _, services = create(settings, kb, Store(f"sqlite:///{tmp_path / 'p.db'}"))
    handler = make_socket_handler(settings, app)
    try:
        handler.connect()
        stub.wait_for(lambda: fake.connections == 1)
        time.sleep(1)
        proxy.freeze()
        frozen_at = time.monotonic()
        stub.wait_for(lambda: fake.connections == 2, timeout=20)  # Bolt's default took about a minute
        assert time.monotonic() - frozen_at < 20
        fake.outbox.put(event_envelope("envP", "EvP1", "cooling"))
        [post] = stub.wait_for(lambda: stub.delivered_to("chat.postMessage"), timeout=10)
        assert post["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    finally:
        handler.close()
        proxy.close()
        fake.close()
        services.answers.close()
        services.store.close()


def interactive(envelope_id: str, body: dict) -> dict:
    """A shortcut, button press or view submission as Socket Mode delivers it."""
    return {"envelope_id": envelope_id, "type": "interactive", "accepts_response_payload": True, "payload": body}


def test_socket_mode_shortcut_inside_a_thread_answers_privately_there(stub, fake: FakeSocketSlack):
    from .test_shortcut import THREAD, submission

    fake.outbox.put(interactive("envA", payload("message_action", stub_url=stub.url)))
    [opened] = stub.wait_for(lambda: stub.sent("views.open"))
    assert opened["view"]["blocks"][1]["element"]["initial_value"].endswith("should we start dantrolene?")
    fake.outbox.put(interactive("envB", submission(opened, "should we start dantrolene?")))
    [reply] = stub.wait_for(lambda: stub.sent("chat.postEphemeral"))
    assert reply["channel"] == "C123" and reply["thread_ts"] == THREAD and reply["user"] == "U111"
    assert reply["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
    stub.wait_for(lambda: acked(fake, "envA", "envB"))
    assert stub.sent("chat.postMessage") == []


def test_socket_mode_answers_a_confident_follow_up_in_the_thread_once(stub, fake: FakeSocketSlack):
    fake.outbox.put(envelope(payload("app_mention"), "envM"))
    stub.wait_for(lambda: stub.sent("chat.postMessage"))
    fake.outbox.put(envelope(payload("message_channel_thread_reply"), "envT"))
    fake.outbox.put(envelope(payload("message_channel_thread_reply"), "envT2", retry=1))  # redelivered
    fake.outbox.put(
        envelope(
            payload(
                "message_channel_thread_reply",
                event_id="Ev0CHAT",
                ts="1700000111.000100",
                text="thanks, that settles it",
            ),
            "envC",
        )
    )
    posts = stub.wait_for(lambda: len(stub.sent("chat.postMessage")) == 2 and stub.sent("chat.postMessage"))
    assert posts[1]["thread_ts"] == "1700000100.000100"
    assert posts[1]["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    stub.wait_for(lambda: acked(fake, "envM", "envT", "envT2", "envC"))
    stub.wait_for(lambda: finished(fake.services))
    assert len(stub.sent("chat.postMessage")) == 2


def test_socket_mode_health_endpoint_is_200_only_while_connected(stub, kb: Path, tmp_path: Path):
    import urllib.error
    import urllib.request

    from nms_bot.slack.serve.server import start_health_server

    def get() -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{health.effective_port}/healthz", timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    fake = FakeSocketSlack()
    stub.socket_url = fake.url
    settings = load_settings(
        http=False,
        env={
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-A1-test",
            "SLACK_API_URL": stub.url,
            "NMS_HEALTH_PORT": "0",
        },
    )
    app, live, services = create(settings, kb, Store(f"sqlite:///{tmp_path / 'h.db'}"))
    handler = make_socket_handler(settings, app)
    health = start_health_server(settings, handler, live, services)
    try:
        assert get()[0] == 503, "not connected yet"
        handler.connect()
        stub.wait_for(lambda: get()[0] == 200)
        status = get()[1]
        assert status["status"] == "ok" and status["knowledge_version"] == live.current.knowledge.version
        handler.client.auto_reconnect_enabled = False
        fake.close()  # Slack gone
        stub.wait_for(lambda: get()[0] == 503, timeout=20)
        assert get()[1]["status"] == "disconnected"
    finally:
        handler.close()
        health.close()
        fake.close()
        services.answers.close()
        services.store.close()
