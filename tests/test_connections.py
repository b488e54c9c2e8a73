"""Connections that send nothing, or half a request, never keep Slack's signed requests out."""

from __future__ import annotations

import socket
from pathlib import Path
from types import SimpleNamespace

from nms_bot.slack.serve.server import REQUEST_SECONDS, cap_request_time

from .conftest import SECRET, Bot
from .test_shutdown import _up, start, stop

IDLE, HALF_SENT = 250, 100


def _still_open(sock: socket.socket) -> bool:
    """True while the server has neither closed the connection nor answered on it."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_hundreds_of_idle_and_half_sent_connections_do_not_block_signed_events(stub, kb: Path, tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start(["--http", "--port", str(port)], stub, tmp_path, kb, SLACK_SIGNING_SECRET=SECRET)
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    held: list[socket.socket] = []
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        for n in range(IDLE + HALF_SENT):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n >= IDLE:  # headers begun, never finished
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: 900\r\nX-Sl")
            held.append(sock)
        assert bot.mention("dantrolene?", ts="1700000000.000100")[0] == 200
        [post] = stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))
        assert post["thread_ts"] == "1700000000.000100"
        # Answered while every one of them is still held open: not after the server dropped them.
        assert all(_still_open(sock) for sock in held)
        code, _ = stop(proc)
        assert code == 0
    finally:
        for sock in held:
            sock.close()
        if proc.poll() is None:
            proc.kill()


def test_a_request_still_arriving_after_the_cap_is_dropped():
    """A byte every few seconds keeps a connection from being idle; the cap drops it anyway."""
    slow, other = SimpleNamespace(request=object(), will_close=False), SimpleNamespace(request=None, will_close=False)
    idle_checks = []
    server = SimpleNamespace(active_channels={1: slow, 2: other}, maintenance=idle_checks.append)
    cap_request_time(server, REQUEST_SECONDS)
    server.maintenance(1000.0)
    server.maintenance(1000.0 + REQUEST_SECONDS - 1)
    assert not slow.will_close
    server.maintenance(1000.0 + REQUEST_SECONDS)
    assert slow.will_close and not other.will_close
    assert idle_checks == [1000.0, 1000.0 + REQUEST_SECONDS - 1, 1000.0 + REQUEST_SECONDS], "idle ones still dropped"
    # the next request on a kept-alive connection starts its own clock
    slow.request, slow.will_close = object(), False
    server.maintenance(1000.0 + REQUEST_SECONDS + 1)
    assert not slow.will_close


def test_waitress_drops_a_connection_whose_request_is_still_arriving(stub):
    """The same on a real server: waitress's channels are what the cap reads and sets."""
    import time

    from nms_bot.slack.serve.server import listen, run_in_thread

    def hello(environ, start):
        start("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = listen(hello, "127.0.0.1", 0, threads=1)
    run_in_thread(server, "cap")
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            stub.wait_for(lambda: any(c.request is not None for c in list(server.active_channels.values())))
            now = time.time()
            server.maintenance(now)  # as waitress's loop calls it: first seen...
            server.maintenance(now + REQUEST_SECONDS)  # ...and REQUEST_SECONDS later
            sock.settimeout(10)
            assert sock.recv(100) == b"", "the server closed the connection"
    finally:
        server.close()
