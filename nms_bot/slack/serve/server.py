"""`nms-bot serve`: Socket Mode (default) or HTTP under waitress, with live knowledge reload.

On SIGTERM (or Ctrl-C) both modes stop taking new requests, finish the answers already
acknowledged (up to NMS_DRAIN_SECONDS) and exit 0, saying what they did.
"""

from __future__ import annotations

import errno
import logging
import signal
import threading
from pathlib import Path
from typing import Any

from ...core.live import LiveEngine
from ...core.loader import KnowledgeError
from ...errors import ConfigurationError
from ...storage.engines import database_url, new_sqlite_files, remove_files
from ...storage.store import Store
from ..app import build_app
from ..common.logs import configure_logging
from ..common.metrics import Metrics
from ..common.reconnect import SDK_LOGGER, Reconnects
from ..common.settings import Settings, SettingsError, load_settings
from ..delivery.answering import AnswerQueue
from ..delivery.reminders import Reminders
from ..delivery.services import Services
from .ops import ops_app
from .wsgi import make_wsgi_app

log = logging.getLogger("nms_bot")
# Slack's Socket Mode client pings this often and drops a connection silent for more than four
# intervals, then dials again: a dead TCP connection is replaced within about 15 s (Bolt's
# default of 10 s took about a minute).
PING_INTERVAL = 3.0
# Nothing is signed before a request has arrived, so anyone can hold connections open. With
# waitress's defaults (100 connections, dropped after 120 idle seconds) 100 idle sockets block
# every signed Slack request for two minutes. Slack waits 3 s for an ack: a connection idle for
# 15 s, or a request still arriving 10 s after its first byte, is of no use to it.
CONNECTION_LIMIT = 1000  # open connections; waitress polls them (select() stops at 1,024 descriptors)
CHANNEL_TIMEOUT = 15  # idle seconds before a connection is dropped
REQUEST_SECONDS = 10  # a request must arrive whole within this (checked every CLEANUP_INTERVAL)
CLEANUP_INTERVAL = 2


def create(
    settings: Settings, knowledge_path: str | Path | None = None, store: Store | None = None
) -> tuple[Any, LiveEngine, Services]:
    """The Bolt app, its live knowledge and services, ready for either server."""
    live = LiveEngine(knowledge_path)
    services = Services(
        live,
        store or Store.from_env(),
        settings.record_gaps,
        AnswerQueue(settings.answer_workers),
        settings.thread_hours,
        settings.escalation_channel,
        answer_lease=settings.answer_lease,
    )
    try:
        return build_app(settings, services), live, services
    except BaseException:
        services.answers.close()
        services.urgent.close()
        raise


def make_http_server(
    settings: Settings,
    app: Any,
    live: LiveEngine,
    host: str = "0.0.0.0",
    threads: int = 16,
    metrics: Metrics | None = None,
) -> Any:
    """A waitress server (production-grade WSGI, threaded) for the HTTP mode; SettingsError in
    one line when the port cannot be had."""
    assert settings.signing_secret
    return listen(make_wsgi_app(app, live, settings.signing_secret, metrics), host, settings.port, threads)


def listen(wsgi: Any, host: str, port: int, threads: int, setting: str = "--port or PORT") -> Any:
    """A waitress server for `wsgi` bound to `port`; SettingsError in one line when it cannot be had."""
    from waitress import create_server

    try:
        server = create_server(
            wsgi,
            host=host,
            port=port,
            threads=threads,
            ident="nms-bot",
            max_request_body_size=1024 * 1024,
            connection_limit=CONNECTION_LIMIT,
            channel_timeout=CHANNEL_TIMEOUT,
            cleanup_interval=CLEANUP_INTERVAL,
            asyncore_use_poll=True,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SettingsError(
                f"port {port} is already in use: stop what listens there or choose another with {setting}"
            ) from None
        raise SettingsError(
            f"cannot listen on port {port} ({exc.strerror or type(exc).__name__}): choose another with {setting}"
        ) from None
    cap_request_time(server, REQUEST_SECONDS)
    return server


def cap_request_time(server: Any, seconds: float) -> None:
    """Drop a connection whose request is still arriving `seconds` after the server first saw it
    in part. waitress drops only idle connections, and a byte every few seconds is not idle."""
    idle_only = server.maintenance
    arriving: dict[int, tuple[Any, float]] = {}  # channel -> (its partial request, first seen)

    def maintenance(now: float) -> None:  # waitress calls it every cleanup_interval, on its loop
        idle_only(now)
        seen = {}
        for channel in list(server.active_channels.values()):
            request = channel.request
            if request is None:
                continue
            earlier = arriving.get(id(channel))
            since = earlier[1] if earlier and earlier[0] is request else now
            seen[id(channel)] = (request, since)
            if now - since >= seconds:
                channel.will_close = True
        arriving.clear()
        arriving.update(seen)

    server.maintenance = maintenance


def start_health_server(
    settings: Settings, handler: Any, live: LiveEngine, services: Services, host: str = "0.0.0.0"
) -> Any:
    """Socket Mode's port for operators (NMS_HEALTH_PORT; None when not set), on a thread:
    /healthz, 200 only while the websocket is connected, and /metrics."""
    if settings.health_port is None:
        return None
    server = listen(
        ops_app(live, services.metrics, handler.client.is_connected),
        host,
        settings.health_port,
        threads=2,
        setting="NMS_HEALTH_PORT",
    )
    run_in_thread(server, "health")
    log.info("health and metrics on port %s (GET /healthz, GET /metrics)", server.effective_port)
    return server


def run_in_thread(server: Any, name: str) -> threading.Thread:
    """Serve on a daemon thread. Closing the server from another thread closes its socket under
    the loop waiting on it: that ends the thread quietly, not with a traceback."""

    def run() -> None:
        try:
            server.run()
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def make_socket_handler(settings: Settings, app: Any, ping_interval: float = PING_INTERVAL) -> Any:
    """Bolt's built-in Socket Mode adapter (reconnects by itself, also on refresh_requested)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, settings.app_token, logger=logging.getLogger(SDK_LOGGER), ping_interval=ping_interval)


def connect(handler: Any) -> None:
    """Open the Socket Mode connection; SettingsError in one line if Slack refuses the app token."""
    from slack_sdk.errors import SlackApiError

    try:
        handler.connect()
    except SlackApiError as exc:
        handler.client.close()
        error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
        if exc.response.status_code >= 500:
            raise SettingsError(
                f"Slack's Web API is failing (apps.connections.open: HTTP {exc.response.status_code}): try again later"
            ) from None
        raise SettingsError(
            f"Slack did not accept SLACK_APP_TOKEN ({error or 'rejected'}): check the app-level "
            "token and that it has the connections:write scope"
        ) from None
    except Exception as exc:
        handler.client.close()
        raise SettingsError(
            f"cannot open a Socket Mode connection ({type(exc).__name__}): check the network or SLACK_API_URL"
        ) from None


def stop_socket_mode(handler: Any) -> None:
    """Stop taking envelopes: those being dispatched finish and are acknowledged (so their
    answers are queued); those not yet dispatched are never acknowledged, so Slack sends them
    again, to another connection. Then the connection closes."""
    client = handler.client
    client.default_auto_reconnect_enabled = client.auto_reconnect_enabled = False
    client.closed = True  # ends the loop that hands received envelopes to the workers
    client.message_processor.shutdown()
    client.message_workers.shutdown(wait=True)
    client.close()


def finish(services: Services, seconds: float) -> None:
    """Send the answers already acknowledged, for at most `seconds`, saying what happened."""
    backlog = services.answers.backlog()
    pending = backlog.waiting + backlog.running
    log.info("stopping: finishing %d acknowledged answer(s) (up to %g s)", pending, seconds)
    services.urgent.close()  # a modal opened now would be too late anyway
    left = services.answers.drain(seconds)
    if left:
        log.error("stopped after %g s with %d answer(s) not sent", seconds, left)
    else:
        log.info("stopped: every acknowledged answer was sent")


def _exit(*_: Any) -> None:
    raise SystemExit(0)


def serve(http: bool, port: int | str | None, knowledge_path: str | Path | None) -> int:
    """Run until stopped. Raises ConfigurationError or KnowledgeError before it starts serving."""
    configure_logging()
    settings = load_settings(http, port)
    created = new_sqlite_files(database_url())
    try:
        return _serve(settings, http, knowledge_path)
    except (ConfigurationError, KnowledgeError):  # raised only before serving: a failed start
        remove_files(created)  # leaves no database file (or lock file) it created behind
        raise


def _serve(settings: Settings, http: bool, knowledge_path: str | Path | None) -> int:
    store = Store.from_env()
    try:
        store.check_writable()
        app, live, services = create(settings, knowledge_path, store)
    except BaseException:
        store.close()
        raise
    live.start_watching(settings.reload_seconds or None)
    if settings.reminder_hour is not None:
        client = app.client
        if services.installations is not None:  # many workspaces: the owner is in one of them
            from ..workspaces.oauth import EveryWorkspace

            client = EveryWorkspace(services.installations, app.client)
        Reminders(live.path, services.store, client, settings.reminder_hour).start()
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: live.request_reload())
    if store.schema_upgrade:  # logged now: a start-up error above stays one line
        log.info("%s", store.schema_upgrade)
    mode = "HTTP mode" if http else "Socket Mode"
    if settings.oauth:
        mode += ", many workspaces (installed through /slack/install)"
    log.info("knowledge %s loaded; starting in %s", live.current.knowledge.version, mode)
    try:
        if http:
            _serve_http(settings, app, live, services)
        else:
            _serve_socket_mode(settings, app, live, services)
    finally:
        live.stop()
        store.close()
    return 0


def _serve_http(settings: Settings, app: Any, live: LiveEngine, services: Services) -> None:
    server = make_http_server(settings, app, live, metrics=services.metrics)
    log.info("listening on port %s (POST /slack/events, GET /healthz, GET /metrics)", server.effective_port)
    # waitress's run() ends on SystemExit/KeyboardInterrupt, letting running requests finish.
    signal.signal(signal.SIGTERM, _exit)
    server.run()
    server.close()
    finish(services, settings.drain_seconds)


def _serve_socket_mode(settings: Settings, app: Any, live: LiveEngine, services: Services) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    handler = make_socket_handler(settings, app)
    health = start_health_server(settings, handler, live, services)  # 503 until connected
    reconnects = Reconnects(handler.client)
    connect(handler)  # Slack accepted the app token; the websocket may still be refused
    if not handler.client.is_connected():
        reconnects.failed()
    reconnects.check()
    while not stop.wait(1.0):
        reconnects.check()
    log.info("stopping: no new events")
    stop_socket_mode(handler)
    finish(services, settings.drain_seconds)
    if health:
        health.close()
