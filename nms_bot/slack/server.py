"""`nms-bot serve`: Socket Mode (default) or HTTP under waitress, with live knowledge reload."""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

from ..core.live import LiveEngine
from ..storage.store import Store
from .app import build_app
from .reminders import Reminders
from .services import Services
from .settings import Settings, load_settings
from .wsgi import make_wsgi_app

log = logging.getLogger("nms_bot")


class _NoSecrets(logging.Filter):
    """Last line of defence: mask anything token-shaped that reaches a log record."""

    PATTERN = re.compile(r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.PATTERN.sub("[redacted-token]", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        level = "INFO"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NoSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Bolt's and slack-sdk's debug output includes request bodies, i.e. question text.
    for name in ("slack_bolt", "slack_sdk", "nms_bot.bolt", "waitress"):
        logging.getLogger(name).setLevel(max(logging.getLogger().level, logging.WARNING))


def create(settings: Settings, knowledge_path: str | Path | None = None,
           store: Store | None = None) -> tuple[Any, LiveEngine, Services]:
    """The Bolt app, its live knowledge and services, ready for either server."""
    live = LiveEngine(knowledge_path)
    services = Services(live, store or Store.from_env(), settings.record_gaps)
    return build_app(settings, services), live, services


def make_http_server(settings: Settings, app: Any, live: LiveEngine, host: str = "0.0.0.0",
                     threads: int = 16) -> Any:
    """A waitress server (production-grade WSGI, threaded) for the HTTP mode."""
    from waitress import create_server

    assert settings.signing_secret
    return create_server(make_wsgi_app(app, live, settings.signing_secret), host=host, port=settings.port,
                         threads=threads, ident="nms-bot", max_request_body_size=1024 * 1024)


def make_socket_handler(settings: Settings, app: Any) -> Any:
    """Bolt's built-in Socket Mode adapter (reconnects by itself, also on refresh_requested)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, settings.app_token)


def _exit(*_: Any) -> None:
    raise SystemExit(0)


def serve(http: bool, port: int | None, knowledge_path: str | Path | None) -> int:
    """Run until stopped. Raises ConfigurationError or KnowledgeError before it starts serving."""
    configure_logging()
    settings = load_settings(http, port)
    app, live, services = create(settings, knowledge_path)
    live.start_watching(settings.reload_seconds or None)
    if settings.reminder_hour is not None:
        Reminders(live.path, services.store, app.client, settings.reminder_hour).start()
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: live.request_reload())
    log.info("knowledge %s loaded; starting in %s mode", live.current.knowledge.version,
             "HTTP" if http else "Socket Mode")
    if http:
        server = make_http_server(settings, app, live)
        log.info("listening on port %s (POST /slack/events, GET /healthz)", settings.port)
        # waitress's run() ends on SystemExit/KeyboardInterrupt, letting running requests finish.
        signal.signal(signal.SIGTERM, _exit)
        server.run()
        server.close()
        log.info("stopped")
        return 0
    make_socket_handler(settings, app).start()
    return 0
