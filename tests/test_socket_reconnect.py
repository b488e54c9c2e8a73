"""Socket Mode when Slack's Web API answers but the websocket is refused (a firewall that blocks
websockets): "connected" only once it is open, attempts backed off, the failure logged once."""

from __future__ import annotations

import itertools
import json
import logging
import socket
from pathlib import Path

import pytest

from nms_bot.slack.common.reconnect import MAX_DELAY, REMIND_SECONDS, Reconnects

from .test_shutdown import _get, start, stop

pytest.importorskip("websockets.sync.server")

from .test_socket_mode import FakeSocketSlack, event_envelope


def _refused_url() -> str:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{s.getsockname()[1]}/link"


def test_a_refused_websocket_is_not_called_connected_and_is_logged_once(stub, kb: Path, tmp_path: Path):
    stub.socket_url = _refused_url()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        health_port = s.getsockname()[1]
    proc = start([], stub, tmp_path, kb, SLACK_APP_TOKEN="xapp-1-A1-test", NMS_HEALTH_PORT=str(health_port))
    fake = None
    try:
        opened = lambda: sum(m == "apps.connections.open" for m, _ in stub.calls)  # noqa: E731
        stub.wait_for(lambda: opened() >= 3, timeout=30)
        health = stub.wait_for(lambda: _get(f"http://127.0.0.1:{health_port}/healthz"))
        assert health[0] == 503 and json.loads(health[1])["connected"] is False
        fake = FakeSocketSlack()  # the firewall opens
        stub.socket_url = fake.url
        stub.wait_for(lambda: fake.connections == 1, timeout=30)
        fake.outbox.put(event_envelope("envR", "EvR1", "dantrolene"))
        [post] = stub.wait_for(lambda: stub.delivered_to("chat.postMessage"), timeout=10)
        assert post["blocks"][0]["text"]["text"] == "NMS: Dantrolene"
        stub.wait_for(lambda: _get(f"http://127.0.0.1:{health_port}/healthz")[0] == 200)
        code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        if fake:
            fake.close()
    assert code == 0, err
    lines = err.splitlines()
    failing = [n for n, line in enumerate(lines) if "cannot open the websocket to Slack" in line]
    connected = [n for n, line in enumerate(lines) if "connected to Slack" in line]
    assert len(failing) == 1 and "(ConnectionRefusedError)" in lines[failing[0]], err
    assert len(connected) == 1 and connected[0] > failing[0], err
    assert "after" in lines[connected[0]] and "failed attempt(s)" in lines[connected[0]]
    assert sum(" ERROR " in line for line in lines) == 1, err
    for noise in ("Failed to establish a connection", "on_error invoked", "Failed to check the current session"):
        assert noise not in err


class FakeClient:
    """A SocketModeClient whose websocket opens only when told to."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("test.reconnect")
        self.dials = 0
        self.opens = False
        self.up = False

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        self.dials += 1
        self.up = self.opens

    def is_connected(self) -> bool:
        return self.up


def test_reconnection_attempts_back_off_to_a_cap_and_are_logged_once_with_a_count(caplog):
    client, now = FakeClient(), [0.0]
    reconnects = Reconnects(client, clock=lambda: now[0])
    dialled_at = []
    with caplog.at_level(logging.INFO, logger="nms_bot"):
        while now[0] < 1800:  # the client's monitor asks every 3 s, for half an hour
            before = client.dials
            client.connect_to_new_endpoint()  # the monitor calls the wrapped method
            if client.dials > before:
                dialled_at.append(now[0])
            now[0] += 3
        gaps = [b - a for a, b in itertools.pairwise(dialled_at)]
        assert gaps[:5] == [3, 3, 6, 9, 18] and max(gaps) <= MAX_DELAY + 3 and gaps[-1] >= MAX_DELAY
        failures = [r.getMessage() for r in caplog.records if "websocket" in r.getMessage()]
        assert len(failures) == 1 + 1800 // REMIND_SECONDS - 1, "one line, then one every REMIND_SECONDS"
        assert "cannot open the websocket to Slack (refused)" in failures[0]
        assert failures[1:] == [
            "Socket Mode: still cannot open the websocket (refused): 16 attempts over 612 s",
            "Socket Mode: still cannot open the websocket (refused): 26 attempts over 1212 s",
        ]
        client.connect_to_new_endpoint(force=True)  # Slack's own disconnect message: dialled at once
        assert client.dials == len(dialled_at) + 1
        client.opens = True
        now[0] += MAX_DELAY
        client.connect_to_new_endpoint()
        reconnects.check()
        reconnects.check()
    connected = [r.getMessage() for r in caplog.records if "connected to Slack" in r.getMessage()]
    assert connected == [f"connected to Slack (Socket Mode) after {len(dialled_at) + 1} failed attempt(s) over 1860 s"]
