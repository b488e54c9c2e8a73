"""A small HTTP server for operators, beside Socket Mode: GET /healthz (200 only while the
websocket to Slack is connected, with the knowledge version). Routes are plain functions, so more
endpoints (metrics) can join the same server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..core.live import LiveEngine

# (HTTP status line, body, content type)
Response = tuple[str, str, str]
Route = Callable[[], Response]


def healthz(ready: Callable[[], bool], live: LiveEngine) -> Route:
    """200 with the knowledge version while `ready()`; else 503, so an orchestrator can restart
    a worker that lost Slack."""

    def route() -> Response:
        version = live.current.knowledge.version
        if ready():
            return "200 OK", json.dumps({"status": "ok", "knowledge_version": version}), "application/json"
        return ("503 Service Unavailable", json.dumps({"status": "disconnected", "knowledge_version": version}),
                "application/json")

    return route


def ops_app(routes: dict[str, Route]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering GET/HEAD on `routes`, 404 elsewhere; nothing a caller sends is read."""

    def wsgi(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        route = routes.get(environ.get("PATH_INFO", ""))
        if route is None:
            status, body, ctype = "404 Not Found", "not found", "text/plain; charset=utf-8"
        elif environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            status, body, ctype = "405 Method Not Allowed", "GET only", "text/plain; charset=utf-8"
        else:
            status, body, ctype = route()
        data = body.encode()
        start(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi


def start_ops_server(routes: dict[str, Route], port: int, host: str = "0.0.0.0") -> Any:
    """Serve `routes` on `port` (0: any free one) on a daemon thread; the waitress server is
    returned (its `effective_port`, `close()`). SettingsError when the port cannot be had."""
    from .server import listen

    server = listen(ops_app(routes), host, port, threads=2, setting="NMS_HEALTH_PORT")
    threading.Thread(target=server.run, name="ops-http", daemon=True).start()
    return server
