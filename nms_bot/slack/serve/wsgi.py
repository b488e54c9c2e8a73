"""The HTTP front: POST /slack/events into Bolt, GET /healthz and /metrics; bad requests get 4xx, not 500.

The signature is checked first, on the raw bytes, by code that accepts any header and any
body: nothing a caller sends before it is authenticated can raise.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest

from ...core.live import LiveEngine
from ..common.limits import PerClient, TooManyStates
from ..common.metrics import Metrics
from .ops import ops_app, reply

log = logging.getLogger("nms_bot.http")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; a 40,000-character message is ~50 KB
EVENTS_PATH = "/slack/events"
MAX_AGE_SECONDS = 5 * 60  # Slack: reject requests signed more than five minutes ago
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Fields Bolt and the listeners read as objects: anything else in them is malformed.
OBJECTS = ("event", "container", "message", "view", "state")
OBJECT_OR_ID = ("user", "team", "channel", "enterprise")
LISTS_OF_OBJECTS = ("actions", "authorizations")
# The install page is anonymous and each visit stores an OAuth state: an admin installing needs a
# few visits, a script thousands. (Behind a proxy every client has the proxy's address: limit
# /slack/install there too, see README's Deployment.)
INSTALLS_PER_CLIENT, INSTALL_WINDOW_SECONDS = 10, 60.0

StartResponse = Callable[..., Any]


def _headers(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The request's HTTP headers as Bolt takes them: lower-case names, each value in a list."""
    return {k[5:].replace("_", "-").lower(): [v] for k, v in environ.items() if k.startswith("HTTP_")}


def signed_by_slack(secret: bytes, raw: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """Slack's v0 signature over the raw body, for a request signed in the last five minutes."""
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def malformed(body: dict[str, Any]) -> str | None:
    """Why a signed payload cannot be one of Slack's, or None. Bolt would fail on these."""
    for key in OBJECTS:
        if key in body and not isinstance(body[key], dict):
            return key
    for key in OBJECT_OR_ID:
        if body.get(key) is not None and not isinstance(body[key], (dict, str)):
            return key
    for key in LISTS_OF_OBJECTS:
        value = body.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return key
    event = body.get("event")
    if isinstance(event, dict) and not isinstance(event.get("type"), str):
        return "event.type"  # the rest of an event varies by type; listeners read it defensively
    return None


def make_wsgi_app(
    app: App, live: LiveEngine, signing_secret: str, metrics: Metrics | None = None
) -> Callable[..., Iterable[bytes]]:
    secret = signing_secret.encode()
    ops = ops_app(live, metrics)

    flow = app.oauth_flow  # many-workspaces mode: Slack's OAuth flow
    oauth_paths = (flow.install_path, flow.redirect_uri_path) if flow else ()
    installs = PerClient(INSTALLS_PER_CLIENT, INSTALL_WINDOW_SECONDS)
    warned = [float("-inf")]  # when "too many installations" was last logged: once a minute at most

    def wsgi(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path in oauth_paths and method == "GET":
            return _oauth(environ, start, path)
        if path != EVENTS_PATH:
            return ops(environ, start)  # /healthz, /metrics, else 404
        if method != "POST":
            return reply(start, "405 Method Not Allowed", "POST only", headers={"Allow": "POST"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return reply(start, "400 Bad Request", "bad Content-Length")
        if length > MAX_BODY or length < 0:
            return reply(start, "413 Payload Too Large", "too large")
        raw = environ["wsgi.input"].read(length) if length else b""
        # Signature first: an unsigned or stale request causes nothing, whatever its body.
        if not signed_by_slack(
            secret, raw, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""), environ.get("HTTP_X_SLACK_SIGNATURE", "")
        ):
            return reply(start, "401 Unauthorized", "invalid signature")
        headers = _headers(environ)
        headers["content-type"] = [environ.get("CONTENT_TYPE", "")]
        try:
            request = BoltRequest(body=raw.decode("utf-8"), headers=headers)
        except Exception:  # not UTF-8, bad JSON, a list where a dict belongs... (Bolt parses as it builds)
            return reply(start, "400 Bad Request", "malformed body")
        if not isinstance(request.body, dict) or not request.body:
            return reply(start, "400 Bad Request", "malformed body")
        reason = malformed(request.body)
        if reason:
            log.warning("signed request with a malformed payload (%s) refused", reason)
            return reply(start, "400 Bad Request", "malformed body")
        try:
            response = app.dispatch(request)
        except Exception as exc:  # a payload Bolt cannot handle must not take the server down
            log.error("could not handle request: %s", type(exc).__name__)
            return reply(start, "400 Bad Request", "unprocessable request")
        if response.status >= 500:  # Bolt's error handler has logged the kind in one line
            return reply(start, "400 Bad Request", "unprocessable request")
        return _boltreply(start, response)

    def _oauth(environ: dict[str, Any], start: StartResponse, path: str) -> Iterable[bytes]:
        """The install page (sets the state cookie) and Slack's redirect back with a code."""
        installing = path == flow.install_path
        if installing and not installs.allow(str(environ.get("REMOTE_ADDR", ""))):
            return _busy(start, "too many installation attempts from here: try again in a minute", 60)
        try:
            request = BoltRequest(body="", query=environ.get("QUERY_STRING", ""), headers=_headers(environ))
            response = (flow.handle_installation if installing else flow.handle_callback)(request)
        except TooManyStates:
            if time.monotonic() - warned[0] > 60:
                warned[0] = time.monotonic()
                log.warning("install page refused: too many installations under way (unused OAuth states)")
            return _busy(start, "too many installations under way: try again in a few minutes", 600)
        except Exception as exc:  # an installation that fails must not take the server down
            log.error("installation failed: %s", type(exc).__name__)
            return reply(start, "400 Bad Request", "installation failed")
        return _boltreply(start, response)

    return wsgi


def _busy(start: StartResponse, text: str, retry_after: int) -> Iterable[bytes]:
    return reply(start, "429 Too Many Requests", text, headers={"Retry-After": str(retry_after)})


def _boltreply(start: StartResponse, response: Any) -> Iterable[bytes]:
    ctype = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
    status = f"{response.status} {HTTPStatus(response.status).phrase}"
    return reply(start, status, response.body or "", ctype, response.headers)
