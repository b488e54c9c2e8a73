"""GET /healthz and GET /metrics: a WSGI app that any small server can mount (the HTTP mode's
front, the Socket Mode worker's health port)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ...core.live import LiveEngine
from ..common.metrics import Metrics

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def reply(
    start: Callable[..., Any],
    status: str,
    body: str | bytes = "",
    ctype: str = "text/plain; charset=utf-8",
    headers: dict[str, Any] | None = None,
) -> Iterable[bytes]:
    """Start a plain WSGI response and return its body; `headers` values may be lists."""
    data = body.encode() if isinstance(body, str) else body
    extra = [
        (k, v)
        for k, values in (headers or {}).items()
        for v in (values if isinstance(values, (list, tuple)) else [values])
        if k.lower() not in ("content-length", "content-type")
    ]
    start(status, [("Content-Type", ctype), ("Content-Length", str(len(data))), *extra])
    return [data]


def ops_app(live: LiveEngine, metrics: Metrics | None, connected: Callable[[], bool] | None = None) -> WSGIApp:
    """/healthz: 200 with the knowledge version (503 while `connected` says the Slack connection
    is down); /metrics: Prometheus's text format; anything else 404."""
    metrics_app = metrics.wsgi() if metrics else None

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path not in ("/healthz", "/metrics") or (path == "/metrics" and metrics_app is None):
            return reply(start, "404 Not Found", "not found")
        if method not in ("GET", "HEAD"):
            return reply(start, "405 Method Not Allowed", "GET only", headers={"Allow": "GET, HEAD"})
        if path == "/metrics":
            assert metrics_app is not None
            return metrics_app(environ, start)
        up = connected() if connected else True
        body = {"status": "ok" if up else "disconnected", "knowledge_version": live.current.knowledge.version}
        if connected:
            body["connected"] = up
        return reply(start, "200 OK" if up else "503 Service Unavailable", json.dumps(body), "application/json")

    return app
