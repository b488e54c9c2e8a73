"""The running bot's log: plain text lines by default, one JSON object per line with
LOG_FORMAT=json; tokens masked either way, and no request bodies (they hold question text)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time

from ...errors import ConfigurationError

FORMATS = ("text", "json")


class _NoSecrets(logging.Filter):
    """Last line of defence: mask anything token-shaped that reaches a log record, and OAuth codes
    (Bolt's OAuth flow logs the code of a failed exchange; an unused code is as good as a token)."""

    PATTERN = re.compile(r"xox[abposre]-[A-Za-z0-9.-]+|xapp-[A-Za-z0-9-]+")
    # `code=...` / `code: ...` with a code-length value ("status code: 429" is left alone), and
    # anything shaped as Slack's codes are (digits.digits.hex).
    CODE = re.compile(r"(\bcode\b[\"']?\s*[:=]\s*[\"']?)[^\s&\"',;]{8,}|()\b\d{6,}\.\d{6,}\.[0-9a-f]{16,}\b", re.I)
    BOLT_EXCHANGE = re.compile(r"Failed to fetch oauth\.v2\.access result with code: .*", re.S)
    SLACK_ERROR = re.compile(r"""['"]error['"]: ['"]([a-z_]{1,60})['"]""")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if self.BOLT_EXCHANGE.match(message):  # Bolt's line: the code, and the whole Slack response
            error = self.SLACK_ERROR.search(message)
            kind = error.group(1) if error else "error"
            masked = f"installation failed: Slack refused the code exchange (oauth.v2.access: {kind})"
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask(text: str) -> str:
    """`text` with tokens and OAuth codes replaced."""
    return _NoSecrets.CODE.sub(r"\1[redacted-code]", _NoSecrets.PATTERN.sub("[redacted-token]", text))


class _OncePerBurst(logging.Filter):
    """waitress warns "Task queue depth is N" for every request that waits for a thread: under
    a burst that is hundreds of lines. Keep the first of each burst (a burst ends after
    `gap` quiet seconds)."""

    def __init__(self, gap: float = 10.0):
        super().__init__()
        self.gap, self._last = gap, float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now, last = time.monotonic(), self._last
        self._last = now
        if now - last <= self.gap:
            return False
        record.msg = "HTTP requests are waiting for a free server thread (%s queued); repeats suppressed for this burst"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, event (the message, which
    names errors by kind only), pid; for an exception also its kind and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info and record.exc_info[0]:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        # The filter masked the message; the traceback is masked here.
        return mask(json.dumps(entry, ensure_ascii=False))


def log_format(env: dict[str, str] | None = None) -> str:
    value = (os.environ if env is None else env).get("LOG_FORMAT", "").strip().lower() or "text"
    if value not in FORMATS:
        raise ConfigurationError(f"LOG_FORMAT must be text or json, not {value[:20]!r}")
    return value


def configure_logging() -> None:
    """Log to stderr as LOG_LEVEL and LOG_FORMAT say; ConfigurationError for a bad LOG_FORMAT."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        level = "INFO"
    handler = logging.StreamHandler(sys.stderr)
    if log_format() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NoSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Bolt's and slack-sdk's debug output includes request bodies, i.e. question text.
    for name in ("slack_bolt", "slack_sdk", "nms_bot.bolt", "waitress"):
        logging.getLogger(name).setLevel(max(logging.getLogger().level, logging.WARNING))
    queue_log = logging.getLogger("waitress.queue")
    queue_log.filters[:] = [_OncePerBurst()]
