"""Settings from the environment; a bad one stops the program with one line saying what to do."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import ConfigurationError

RELOAD_SECONDS = 3.0  # how often a running bot looks for edited knowledge files
REMINDER_HOUR = 9  # review reminders go out once a day at this hour, server local time


class SettingsError(ConfigurationError):
    """A Slack setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str | None
    port: int
    record_gaps: bool
    reload_seconds: float = RELOAD_SECONDS  # 0: reload the knowledge base on SIGHUP only
    reminder_hour: int | None = REMINDER_HOUR  # None: no review reminders (NMS_REMINDERS=0)

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"Settings(port={self.port}, api_url={self.api_url!r}, record_gaps={self.record_gaps})"


def _flag(env: dict[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 or 0")


def _token(env: dict[str, str], name: str, prefix: str, where: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: copy it from {where} and export it")
    if not value.startswith(prefix) or not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise SettingsError(f"{name} does not look right (it should start with {prefix}): copy it again from {where}")
    return value


def load_settings(http: bool, port: int | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read and check what the chosen mode needs."""
    env = dict(os.environ) if env is None else env
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-", "your Slack app's OAuth & Permissions page")
    signing_secret = app_token = None
    if http:
        signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not signing_secret:
            raise SettingsError("SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your "
                                "Slack app's Basic Information page and export it")
        if not re.fullmatch(r"[0-9a-fA-F]{16,128}", signing_secret):
            raise SettingsError("SLACK_SIGNING_SECRET does not look right (hex digits expected): "
                                "copy it again from your Slack app's Basic Information page")
    else:
        app_token = _token(env, "SLACK_APP_TOKEN", "xapp-",
                           "your Slack app's Basic Information page (App-Level Tokens, scope connections:write)")
    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url and not re.match(r"^https?://[^\s]+$", api_url):
        raise SettingsError("SLACK_API_URL must be a URL such as https://slack.com/api/")
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    if port is None:
        raw = env.get("PORT", "").strip() or "3000"
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise SettingsError("PORT must be a port number between 1 and 65535")
        port = int(raw)
    reload = env.get("NMS_RELOAD_SECONDS", "").strip() or str(RELOAD_SECONDS)
    try:
        reload_seconds = float(reload)
    except ValueError:
        reload_seconds = -1.0
    if not 0 <= reload_seconds <= 86400:
        raise SettingsError("NMS_RELOAD_SECONDS must be a number of seconds (0: reload on SIGHUP only)")
    hour = env.get("NMS_REMINDER_HOUR", "").strip() or str(REMINDER_HOUR)
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        raise SettingsError("NMS_REMINDER_HOUR must be an hour of the day from 0 to 23 (server local time)")
    reminders = env.get("NMS_REMINDERS", "").strip() == "" or _flag(env, "NMS_REMINDERS")
    return Settings(bot_token, signing_secret, app_token, api_url, port, _flag(env, "NMS_RECORD_GAPS"),
                    reload_seconds, int(hour) if reminders else None)
