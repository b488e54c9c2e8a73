"""The HTTP front: POST /slack/events into Bolt, GET /healthz; bad requests get 4xx, not 500."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from ..core.live import LiveEngine

log = logging.getLogger("nms_bot.http")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; a 40,000-character message is ~50 KB
EVENTS_PATH = "/slack/events"

StartResponse = Callable[..., Any]


def _reply(start: StartResponse, status: str, body: str | bytes = "", ctype: str = "text/plain; charset=utf-8",
           headers: dict[str, Any] | None = None) -> Iterable[bytes]:
    data = body.encode() if isinstance(body, str) else body
    extra = [(k, v) for k, values in (headers or {}).items()
             for v in (values if isinstance(values, (list, tuple)) else [values])
             if k.lower() not in ("content-length", "content-type")]
    start(status, [("Content-Type", ctype), ("Content-Length", str(len(data))), *extra])
    return [data]


def make_wsgi_app(app: App, live: LiveEngine, signing_secret: str) -> Callable[..., Iterable[bytes]]:
    verifier = SignatureVerifier(signing_secret)

    def wsgi(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            body = json.dumps({"status": "ok", "knowledge_version": live.current.knowledge.version})
            return _reply(start, "200 OK", body, "application/json")
        if path != EVENTS_PATH:
            return _reply(start, "404 Not Found", "not found")
        if method != "POST":
            return _reply(start, "405 Method Not Allowed", "POST only", headers={"Allow": "POST"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reply(start, "400 Bad Request", "bad Content-Length")
        if length > MAX_BODY:
            return _reply(start, "413 Payload Too Large", "too large")
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        # Signature first: an unsigned or stale request causes nothing, whatever its body.
        if not verifier.is_valid_request(raw, headers):
            return _reply(start, "401 Unauthorized", "invalid signature")
        try:
            body = raw.decode("utf-8")
            request = BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})
        except Exception:  # Bolt parses as it builds: bad JSON, a list where a dict belongs...
            return _reply(start, "400 Bad Request", "malformed body")
        if not isinstance(request.body, dict) or not request.body:
            return _reply(start, "400 Bad Request", "malformed body")
        try:
            response = app.dispatch(request)
        except Exception as exc:  # a payload Bolt cannot handle must not take the server down
            log.error("could not handle request: %s", type(exc).__name__)
            return _reply(start, "400 Bad Request", "unprocessable request")
        ctype = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
        status = f"{response.status} {HTTPStatus(response.status).phrase}"
        return _reply(start, status, response.body or "", ctype, response.headers)

    return wsgi
