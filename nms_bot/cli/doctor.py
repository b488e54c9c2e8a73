"""`nms-bot doctor`: check a deployment, one line per check, what is right and what is not.

It asks Slack what it thinks of the tokens (auth.test, apps.connections.open), compares the bot
token's scopes (the `x-oauth-scopes` header Slack sends with every Web API answer) with the
manifest's, checks that the bot is in the consult channel, that the database is reachable and
current, and that the knowledge is valid. It never prints a token or secret: only their kind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass
from typing import Any

OK, FAIL, INFO = "ok", "fail", "info"  # info: worth saying, not wrong (a feature switched off)
TOKEN_KINDS = {
    "xoxb-": "a bot token",
    "xoxp-": "a user token",
    "xapp-": "an app-level token",
    "xoxe": "a refresh token",
}
WHERE = {
    "SLACK_BOT_TOKEN": ("xoxb-", "the Bot User OAuth Token from OAuth & Permissions"),
    "SLACK_APP_TOKEN": ("xapp-", "an App-Level Token (Basic Information, scope connections:write)"),
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | fail | info
    detail: str

    def line(self) -> str:
        return f"{self.status.upper():<4}  {self.name}: {self.detail}"


def token_kind(value: str) -> str:
    """What kind of Slack token a value looks like, from its prefix only (never echoed)."""
    return next((kind for prefix, kind in TOKEN_KINDS.items() if value.startswith(prefix)), "not a Slack token")


def _token(env: dict[str, str], name: str) -> tuple[str | None, Check | None]:
    """The token in `name` when it has the right prefix; else the check that says what is wrong."""
    prefix, where = WHERE[name]
    value = env.get(name, "").strip()
    if not value:
        return None, Check(name, FAIL, f"not set: export {where}")
    if not value.startswith(prefix):
        return None, Check(name, FAIL, f"holds {token_kind(value)}, not {prefix}...: it takes {where}")
    return value, None


def _client(token: str, api_url: str | None) -> Any:
    from slack_sdk import WebClient

    return WebClient(token=token, base_url=api_url or WebClient.BASE_URL, timeout=10)


def _call(client: Any, method: str, **params: Any) -> tuple[dict[str, Any] | None, dict[str, str], str]:
    """(body, lower-cased headers, error) of one Web API call; error is "" when Slack said ok."""
    from slack_sdk.errors import SlackApiError

    try:
        response = client.api_call(method, data=params)
    except SlackApiError as exc:
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
        return None, headers, str(data.get("error") or f"HTTP {exc.response.status_code}")
    except Exception as exc:  # the network, DNS, a wrong SLACK_API_URL
        return None, {}, f"cannot reach the Slack Web API ({type(exc).__name__}): check the network or SLACK_API_URL"
    headers = {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in (response.headers or {}).items()}
    return dict(response.data), headers, ""


def _scopes(headers: dict[str, str]) -> Check:
    from ..slack.workspaces.oauth import BOT_SCOPES  # the manifest's bot scopes (a test keeps them equal)

    granted = headers.get("x-oauth-scopes")
    if granted is None:
        return Check("scopes", FAIL, "Slack sent no x-oauth-scopes header, so the granted scopes are unknown")
    have = {s.strip() for s in granted.split(",") if s.strip()}
    missing = [s for s in BOT_SCOPES if s not in have]
    if missing:
        return Check(
            "scopes",
            FAIL,
            f"missing {', '.join(missing)} (manifest.yml asks for them): add them under OAuth & Permissions "
            "-> Scopes, or update the app from manifest.yml, then Reinstall to Workspace",
        )
    extra = sorted(have - set(BOT_SCOPES))
    return Check(
        "scopes",
        OK,
        f"all {len(BOT_SCOPES)} of manifest.yml's bot scopes granted"
        + (f" (also {', '.join(extra)}, which nms-bot does not use)" if extra else ""),
    )


def _bot(env: dict[str, str], api_url: str | None) -> tuple[list[Check], Any]:
    """The bot token and its scopes; the client when the token works."""
    token, bad = _token(env, "SLACK_BOT_TOKEN")
    if bad:
        return [bad, Check("scopes", FAIL, "not checked: no bot token")], None
    assert token
    client = _client(token, api_url)
    body, headers, error = _call(client, "auth.test")
    if body is None:
        hint = "" if " " in error else ": check the token and that the app is installed in the workspace"
        return [Check("SLACK_BOT_TOKEN", FAIL, f"auth.test refused it ({error}){hint}"), _scopes(headers)], None
    if not body.get("bot_id"):
        return [Check("SLACK_BOT_TOKEN", FAIL, "auth.test accepted it, but it is not a bot's token")], None
    who = f"workspace {body.get('team') or body.get('team_id') or '?'}, bot user {body.get('user') or '?'}"
    return [Check("SLACK_BOT_TOKEN", OK, f"a bot token, accepted by auth.test ({who})"), _scopes(headers)], client


def _socket_mode(env: dict[str, str], api_url: str | None) -> Check:
    token, bad = _token(env, "SLACK_APP_TOKEN")
    if bad:
        return bad
    assert token
    body, _, error = _call(_client(token, api_url), "apps.connections.open")
    if body is None:
        return Check(
            "Socket Mode",
            FAIL,
            f"apps.connections.open refused SLACK_APP_TOKEN ({error}): check the app-level token, its "
            "connections:write scope, and that Socket Mode is on (Settings -> Socket Mode)",
        )
    return Check("Socket Mode", OK, "apps.connections.open accepts SLACK_APP_TOKEN (no connection kept open)")


def _signing_secret(env: dict[str, str]) -> Check:
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not secret:
        return Check("SLACK_SIGNING_SECRET", FAIL, "not set: copy the Signing Secret from Basic Information")
    if not re.fullmatch(r"[0-9a-fA-F]{16,128}", secret):
        return Check(
            "SLACK_SIGNING_SECRET",
            FAIL,
            f"does not look like a signing secret (hex digits expected, {len(secret)} characters given): "
            "copy it again from Basic Information (not the client secret or a token)",
        )
    return Check(
        "SLACK_SIGNING_SECRET", OK, f"{len(secret)} hex digits (Slack checks it only on each request it signs)"
    )


def _channel(env: dict[str, str], client: Any) -> Check:
    from ..slack.common.settings import CHANNEL_ID

    channel = env.get("NMS_ESCALATION_CHANNEL", "").strip()
    name = "consult channel"
    if not channel:
        return Check(name, INFO, "NMS_ESCALATION_CHANNEL is not set: Ask a colleague is off")
    if not CHANNEL_ID.fullmatch(channel):
        return Check(name, FAIL, "NMS_ESCALATION_CHANNEL must be a channel id such as C0123456789, not a name")
    if client is None:
        return Check(name, FAIL, f"{channel}: not checked, the bot token does not work")
    body, _, error = _call(client, "conversations.info", channel=channel)
    if error == "missing_scope":
        # conversations.info needs channels:read / groups:read, which the manifest does not ask for;
        # the history scopes it does ask for answer not_in_channel for a channel the bot is not in.
        # Nothing read is kept or shown.
        body, _, error = _call(client, "conversations.history", channel=channel, limit=1)
        member = body is not None
        error = "" if error == "not_in_channel" else error
    else:
        member = bool(body and body.get("channel", {}).get("is_member"))
    invite = "invite the bot there (/invite @nms-bot in that channel)"
    if error:
        return Check(name, FAIL, f"{channel}: Slack says {error}: check NMS_ESCALATION_CHANNEL, and {invite}")
    if not member:
        return Check(name, FAIL, f"{channel}: the bot is not a member, so Ask a colleague cannot post: {invite}")
    return Check(name, OK, f"{channel}: the bot is a member")


def _database() -> Check:
    from ..errors import ConfigurationError
    from .db import schema_status

    try:
        current, line = schema_status()
    except ConfigurationError as exc:
        return Check("database", FAIL, str(exc))
    return Check("database", OK if current else FAIL, line)


def _knowledge(path: Any, approved_only: bool) -> Check:
    from ..core.loader import default_knowledge_path, validate_knowledge

    where = path or default_knowledge_path()
    knowledge, problems = validate_knowledge(where)
    errors = [p for p in problems if p.severity == "error"]
    if knowledge is None:
        return Check("knowledge", FAIL, f"{where}: {len(errors)} error(s): run `nms-bot validate {where}`")
    approved = sum(t.approved for t in knowledge.topics.values())
    total = len(knowledge.topics)
    detail = f"version {knowledge.version} in {where}: valid, {total} topics, {approved} approved"
    if approved_only and not approved:
        return Check("knowledge", FAIL, f"{detail}: with NMS_APPROVED_ONLY=1 nothing is answered (nms-bot review)")
    if approved_only:
        detail += f" (NMS_APPROVED_ONLY=1: {total - approved} not served)"
    return Check("knowledge", OK, detail)


def run_checks(http: bool, knowledge_path: Any = None, env: dict[str, str] | None = None) -> list[Check]:
    """Every check, in the order an admin would fix them."""
    from ..config import env_flag
    from ..errors import ConfigurationError

    env = dict(os.environ) if env is None else env
    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    if env.get("SLACK_CLIENT_ID", "").strip():
        checks = [
            Check(
                "tokens",
                INFO,
                "many-workspaces mode (SLACK_CLIENT_ID): each workspace's token is checked as it installs",
            )
        ]
        client = None
    else:
        checks, client = _bot(env, api_url)
    checks.append(_signing_secret(env) if http else _socket_mode(env, api_url))
    checks.append(_channel(env, client))
    checks.append(_database())
    try:
        approved_only = env_flag("NMS_APPROVED_ONLY", env)
    except ConfigurationError as exc:
        checks.append(Check("NMS_APPROVED_ONLY", FAIL, str(exc)))
        approved_only = False
    checks.append(_knowledge(knowledge_path, approved_only))
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = run_checks(args.http, args.knowledge)
    failed = [c for c in checks if c.status == FAIL]
    if args.json:
        print(
            json.dumps(
                {"ok": not failed, "mode": "http" if args.http else "socket", "checks": [c.__dict__ for c in checks]}
            )
        )
    else:
        for c in checks:
            print(c.line())
        print(f"{len(failed)} problem(s) found" if failed else "everything checked is right")
    return 1 if failed else 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add `doctor` to the nms-bot command line."""
    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check this deployment: tokens, scopes, Socket Mode or signing secret, consult channel, database, "
        "knowledge (exit 1 when anything is wrong)",
    )
    p.add_argument("--http", action="store_true", help="check HTTP mode's settings (default: Socket Mode's)")
    p.add_argument("--json", action="store_true", help='print {"ok", "mode", "checks": [{name, status, detail}]}')
    p.set_defaults(func=cmd_doctor)
