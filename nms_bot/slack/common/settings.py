"""Settings from the environment; a bad one stops the program with one line saying what to do."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...config import env_flag, env_number
from ...errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

RELOAD_SECONDS = 3.0  # how often a running bot looks for edited knowledge files
REMINDER_HOUR = 9  # review reminders go out once a day at this hour, server local time
ANSWER_WORKERS = 16  # answers being sent at once; the rest wait in the answering queue
DRAIN_SECONDS = 20.0  # on SIGTERM, how long to finish answers already acknowledged
# How long a worker holds a question taken from the durable answering queue: longer than an
# answer's longest run (a post waiting out 429s and 5xx); a dead worker's question waits this long.
ANSWER_LEASE = 120.0
THREAD_HOURS = 24.0  # how long after its last answer in a thread the bot takes replies there as follow-ups
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


class SettingsError(ConfigurationError):
    """A Slack setting is missing or malformed."""


@dataclass(frozen=True)
class OAuth:
    """Many-workspaces mode: Slack's OAuth flow installs the app; tokens live in the database."""

    client_id: str
    client_secret: str
    token_key: str  # NMS_TOKEN_KEY: Fernet key(s) sealing the stored tokens
    redirect_uri: str | None = None  # SLACK_REDIRECT_URI: when the app has several redirect URLs

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"OAuth(client_id={self.client_id!r})"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None  # None in many-workspaces (OAuth) mode
    signing_secret: str | None
    app_token: str | None
    api_url: str | None
    port: int  # 0: any free port (the one bound is logged)
    record_gaps: bool
    reload_seconds: float = RELOAD_SECONDS  # 0: reload the knowledge base on SIGHUP only
    answer_workers: int = ANSWER_WORKERS
    drain_seconds: float = DRAIN_SECONDS
    reminder_hour: int | None = REMINDER_HOUR  # None: no review reminders (NMS_REMINDERS=0)
    thread_hours: float | None = THREAD_HOURS  # None: no thread follow-ups (NMS_THREAD_FOLLOWUPS=0)
    escalation_channel: str | None = None  # NMS_ESCALATION_CHANNEL: where "Ask a colleague" posts
    health_port: int | None = None  # Socket Mode: serve /healthz and /metrics on this port
    oauth: OAuth | None = None  # set: many workspaces, installed through /slack/install
    answer_lease: float = ANSWER_LEASE  # NMS_ANSWER_LEASE: seconds a worker holds a queued question

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return (
            f"Settings(port={self.port}, api_url={self.api_url!r}, record_gaps={self.record_gaps}, "
            f"oauth={self.oauth!r})"
        )


def _token(env: dict[str, str], name: str, prefix: str, where: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: copy it from {where} and export it")
    if not value.startswith(prefix) or not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise SettingsError(f"{name} does not look right (it should start with {prefix}): copy it again from {where}")
    return value


def check_port(port: int | str, name: str = "--port") -> int:
    """A TCP port 1-65535, or 0 for any free one."""
    text = str(port).strip()
    if not re.fullmatch(r"[0-9]{1,5}", text) or int(text) > 65535:
        raise SettingsError(f"{name} must be a port number between 1 and 65535 (0: any free port), not {text[:20]!r}")
    return int(text)


def load_settings(http: bool, port: int | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read and check what the chosen mode needs."""
    env = dict(os.environ) if env is None else env
    oauth = load_oauth(env, http)
    bot_token = None if oauth else _token(env, "SLACK_BOT_TOKEN", "xoxb-", "your Slack app's OAuth & Permissions page")
    signing_secret = app_token = None
    if http:
        signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your "
                "Slack app's Basic Information page and export it"
            )
        if not re.fullmatch(r"[0-9a-fA-F]{16,128}", signing_secret):
            raise SettingsError(
                "SLACK_SIGNING_SECRET does not look right (hex digits expected): "
                "copy it again from your Slack app's Basic Information page"
            )
    else:
        app_token = _token(
            env,
            "SLACK_APP_TOKEN",
            "xapp-",
            "your Slack app's Basic Information page (App-Level Tokens, scope connections:write)",
        )
    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url and not re.match(r"^https?://[^\s]+$", api_url):
        raise SettingsError("SLACK_API_URL must be a URL such as https://slack.com/api/")
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    port = check_port(port) if port is not None else check_port(env.get("PORT", "").strip() or "3000", "PORT")
    reload_seconds = env_number(
        "NMS_RELOAD_SECONDS", RELOAD_SECONDS, 0, 86400, "a number of seconds (0: reload on SIGHUP only)", env
    )
    workers = env_number("NMS_ANSWER_WORKERS", ANSWER_WORKERS, 1, 256, "a whole number", env, whole=True)
    drain = env_number("NMS_DRAIN_SECONDS", DRAIN_SECONDS, 0, 600, "a number of seconds", env)
    lease = env_number("NMS_ANSWER_LEASE", ANSWER_LEASE, 1, 3600, "a number of seconds", env)
    hour = env_number(
        "NMS_REMINDER_HOUR", REMINDER_HOUR, 0, 23, "an hour of the day (server local time)", env, whole=True
    )
    reminders = env_flag("NMS_REMINDERS", env, default=True)
    thread_hours = env_number("NMS_THREAD_HOURS", THREAD_HOURS, 0.1, 24 * 30, "a number of hours", env)
    followups = env_flag("NMS_THREAD_FOLLOWUPS", env, default=True)
    escalation = env.get("NMS_ESCALATION_CHANNEL", "").strip() or None
    if escalation and not CHANNEL_ID.fullmatch(escalation):
        raise SettingsError(
            "NMS_ESCALATION_CHANNEL must be a channel id such as C0123456789 (in Slack: the "
            "channel's name -> About -> Channel ID), not a channel name"
        )
    health = env.get("NMS_HEALTH_PORT", "").strip()
    health_port = check_port(health, "NMS_HEALTH_PORT") if health and not http else None
    return Settings(
        bot_token,
        signing_secret,
        app_token,
        api_url,
        port,
        env_flag("NMS_RECORD_GAPS", env),
        reload_seconds,
        int(workers),
        drain,
        int(hour) if reminders else None,
        thread_hours if followups else None,
        escalation,
        health_port,
        oauth,
        lease,
    )


def load_oauth(env: dict[str, str], http: bool) -> OAuth | None:
    """Many-workspaces mode when SLACK_CLIENT_ID is set: it needs SLACK_CLIENT_SECRET, NMS_TOKEN_KEY
    and HTTP mode, and excludes SLACK_BOT_TOKEN (one workspace's token)."""
    client_id = env.get("SLACK_CLIENT_ID", "").strip()
    client_secret = env.get("SLACK_CLIENT_SECRET", "").strip()
    if not client_id and not client_secret:
        return None
    where = "your Slack app's Basic Information page (App Credentials)"
    if env.get("SLACK_BOT_TOKEN", "").strip():
        raise SettingsError(
            "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(many workspaces, installed through /slack/install), not both"
        )
    if not client_id or not client_secret:
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise SettingsError(f"{missing} is not set: many-workspaces mode needs both; copy it from {where}")
    if not re.fullmatch(r"[0-9]+\.[0-9]+", client_id):
        raise SettingsError(f"SLACK_CLIENT_ID does not look right (digits.digits): copy it again from {where}")
    if not re.fullmatch(r"[0-9a-fA-F]{16,128}", client_secret):
        raise SettingsError(
            f"SLACK_CLIENT_SECRET does not look right (hex digits expected): copy it again from {where}"
        )
    if not http:
        raise SettingsError(
            "many-workspaces mode (SLACK_CLIENT_ID) runs in HTTP mode: add --http (Slack sends the "
            "installation redirect and a distributed app's events over HTTP)"
        )
    redirect = env.get("SLACK_REDIRECT_URI", "").strip() or None
    if redirect and not re.match(r"^https?://[^\s]+$", redirect):
        raise SettingsError("SLACK_REDIRECT_URI must be a URL such as https://YOUR-HOST/slack/oauth_redirect")
    token_key = env.get("NMS_TOKEN_KEY", "").strip()
    token_sealer(token_key)  # TokenKeyError in one line when missing or malformed
    return OAuth(client_id, client_secret, token_key, redirect)


KEY_HELP = (
    'generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class TokenKeyError(SettingsError):
    """NMS_TOKEN_KEY is missing, malformed, or not the key the stored tokens were sealed with."""


def token_sealer(value: str) -> MultiFernet:
    """NMS_TOKEN_KEY: one Fernet key, or several comma-separated (the first seals, every one
    opens: put a new key first and keep the old one after it until tokens are re-sealed)."""
    from cryptography.fernet import Fernet, MultiFernet  # loaded in many-workspaces mode only

    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise TokenKeyError(f"NMS_TOKEN_KEY is not set: it encrypts Slack tokens in the database; {KEY_HELP}")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError:
        raise TokenKeyError(
            f"NMS_TOKEN_KEY is not a Fernet key (44 characters of url-safe base64); {KEY_HELP}"
        ) from None
