"""Socket Mode's websocket, told as it is: "connected" only once it is open; while it cannot be
opened (a firewall that passes the Web API but blocks websockets), attempts back off to one a
minute and the log says so once, with a count, instead of slack_sdk's two ERROR lines a try."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("nms_bot")
# The logger given to slack_sdk's Socket Mode client (a child of nms_bot.bolt: WARNING and up).
SDK_LOGGER = "nms_bot.bolt.socket"
FIRST_DELAY, MAX_DELAY = 1.0, 60.0  # seconds before the next attempt: doubling, capped
REMIND_SECONDS = 600.0  # while it keeps failing, one line this often
# slack_sdk's lines for a failed attempt (ours say it once instead).
ATTEMPT_NOISE = (
    "Failed to establish a connection",
    "Error code:",
    "Received an unexpected response for handshake",
    "on_error invoked",
    "Failed to check the current session or reconnect",
)
ERROR_TEXT = re.compile(r"error: ([A-Za-z]{1,60}Error)\b|error: ([^()]{1,80})\)|status: (\d{3})")


class Reconnects(logging.Filter):
    """Wraps a SocketModeClient's reconnection (which its monitor calls every ping interval while
    the websocket is down) with backoff, and keeps its per-attempt lines out of the log."""

    def __init__(self, client: Any, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.client, self.clock = client, clock
        self.failures = 0  # failed attempts since the websocket was last open
        self.next_try = 0.0
        self.since = 0.0  # when this run of failures began
        self.reminded = 0.0
        self.last_error = ""
        self.announced = False  # "connected" has been logged
        self._lock = threading.Lock()  # the client's monitor and the serving loop both check
        self._dial = client.connect_to_new_endpoint
        client.connect_to_new_endpoint = self.dial
        client.logger.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith(ATTEMPT_NOISE):
            return True
        found = ERROR_TEXT.search(message)
        if found:
            kind, text, status = found.groups()
            self.last_error = kind or text or f"handshake refused with HTTP {status}"
        return False

    def dial(self, force: bool = False) -> None:
        """One reconnection attempt, unless backing off (Slack's own `disconnect` always dials)."""
        if self.failures and not force and self.clock() < self.next_try:
            return
        try:
            self._dial(force)
        except Exception as exc:  # apps.connections.open failed: counted like a refused websocket
            self.last_error = type(exc).__name__
        if self.client.is_connected():
            self.check()
        else:
            self.failed()

    def failed(self) -> None:
        """An attempt did not open the websocket: back off, and say so once per run of failures."""
        now = self.clock()
        self.failures += 1
        self.next_try = now + min(MAX_DELAY, FIRST_DELAY * 2 ** (self.failures - 1))
        if self.failures == 1:
            self.since = self.reminded = now
            log.error(
                "Socket Mode: cannot open the websocket to Slack (%s); retrying, less and less often "
                "(at most every %g s); the Web API may be reachable while websockets are blocked",
                self.last_error or "refused",
                MAX_DELAY,
            )
        elif now - self.reminded >= REMIND_SECONDS:
            self.reminded = now
            log.error(
                "Socket Mode: still cannot open the websocket (%s): %d attempts over %.0f s",
                self.last_error or "refused",
                self.failures,
                now - self.since,
            )

    def check(self) -> None:
        """Logs "connected" when the websocket is open, the first time and after failures; called
        after each attempt and now and then by the serving loop."""
        with self._lock:
            if self.client.is_connected():
                self._connected()

    def _connected(self) -> None:
        if self.failures:
            log.info(
                "connected to Slack (Socket Mode) after %d failed attempt(s) over %.0f s",
                self.failures,
                self.clock() - self.since,
            )
        elif not self.announced:  # (a reconnection Slack asked for is not news)
            log.info("connected to Slack (Socket Mode)")
        self.announced, self.failures = True, 0
