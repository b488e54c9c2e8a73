"""GET /healthz and GET /metrics: a WSGI app that any small server can mount (the HTTP mode's
front, the Socket Mode worker's health port)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..core.live import LiveEngine
from .metrics import Metrics

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _reply(start: Callable[..., Any], status: str, body: str, ctype: str = "text/plain; charset=utf-8",
           extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    data = body.encode()
    start(status, [("Content-Type", ctype), ("Content-Length", str(len(data))), *(extra or [])])
    return [data]


def ops_app(live: LiveEngine, metrics: Metrics | None, connected: Callable[[], bool] | None = None) -> WSGIApp:
    """/healthz: 200 with the knowledge version (503 while `connected` says the Slack connection
    is down); /metrics: Prometheus's text format; anything else 404."""
    metrics_app = metrics.wsgi() if metrics else None

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path not in ("/healthz", "/metrics") or (path == "/metrics" and metrics_app is None):
            return _reply(start, "404 Not Found", "not found")
        if method not in ("GET", "HEAD"):
            return _reply(start, "405 Method Not Allowed", "GET only", extra=[("Allow", "GET, HEAD")])
        if path == "/metrics":
            assert metrics_app is not None
            return metrics_app(environ, start)
        up = connected() if connected else True
        body = {"status": "ok" if up else "disconnected", "knowledge_version": live.current.knowledge.version}
        if connected:
            body["connected"] = up
        return _reply(start, "200 OK" if up else "503 Service Unavailable", json.dumps(body), "application/json")

    return app
