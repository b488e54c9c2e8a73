"""A local stand-in for Slack's Web API and response_urls that records what the bot sends."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

DROP = 0  # a queued status that closes the connection without answering


class SlackStub:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every call, also those answered with an error
        self.delivered: list[tuple[str, dict[str, Any]]] = []  # calls answered 200 and ok
        self.headers: list[dict[str, str]] = []
        # method -> queued (status, headers, body) answered before the normal "ok"
        self.queued: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        # method -> seconds each call takes (a slow Slack); "*" for every method
        self.delay: dict[str, float] = {}
        # bot token -> what auth.test answers for it (many workspaces: each token has its team)
        self.auth: dict[str, dict[str, Any]] = {}
        # what every answer's x-oauth-scopes header says the token was granted (as Slack does)
        self.scopes: str | None = None
        self.members: set[str] = set()  # channels conversations.info says the bot is a member of
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # nothing the bot should ever do: recorded, and refused
                with stub.lock:
                    stub.calls.append((f"GET {self.path}", {}))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                    for key in ("blocks", "view"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                method = self.path.split("/api/")[-1] if "/api/" in self.path else self.path
                pause = stub.delay.get(method, stub.delay.get("*", 0.0))
                if pause:
                    time.sleep(pause)
                with stub.lock:
                    queue = stub.queued.get(method) or []
                    token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or params.get("token", "")
                    status, headers, body = queue.pop(0) if queue else (200, {}, stub.ok(method, params, token))
                    stub.calls.append((method, params))
                    stub.headers.append(dict(self.headers))
                    if status == 200 and (not isinstance(body, dict) or body.get("ok")):
                        stub.delivered.append((method, params))
                if status == DROP:  # hang up without an answer: a connection error for the client
                    self.close_connection = True
                    return
                data = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
                self.send_response(status)
                if stub.scopes is not None and "x-oauth-scopes" not in headers:
                    self.send_header("x-oauth-scopes", stub.scopes)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client that hung up mid-answer (a killed process, a timed-out retry) is no
                # failure of the stand-in: no traceback on the test output.
                import sys

                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ok(self, method: str, params: dict[str, Any], token: str = "") -> Any:
        if method.startswith("/response/"):
            return "ok"
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "nms-bot",
                "url": "https://example.slack.com/",
                **self.auth.get(token, {}),
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": getattr(self, "socket_url", "ws://127.0.0.1:1/link")}
        if method == "conversations.info":
            channel = str(params.get("channel", ""))
            return {"ok": True, "channel": {"id": channel, "is_member": channel in self.members}}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "channel": params.get("channel", ""),
                "permalink": f"https://hosp.slack.com/archives/{params.get('channel', '')}/p{ts}",
            }
        if method == "views.open":
            view = params.get("view") if isinstance(params.get("view"), dict) else {}
            return {"ok": True, "view": {**view, "id": "V0ASK", "team_id": "T1", "state": {"values": {}}}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{time.time():.6f}"}
        return {"ok": True, "ts": f"{time.time():.6f}", "channel": params.get("channel", "")}

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def sent(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for m, p in self.calls if m == method]

    def delivered_to(self, method: str) -> list[dict[str, Any]]:
        """What reached Slack: calls answered 200 and ok (not 429s, 5xx, dropped connections)."""
        with self.lock:
            return [p for m, p in self.delivered if m == method]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
