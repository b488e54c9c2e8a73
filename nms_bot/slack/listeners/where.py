"""Reading where a button press or shortcut happened from Slack's interaction payloads."""

from __future__ import annotations

import re
from typing import Any

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def dict_field(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def where(body: dict[str, Any]) -> tuple[bool, str, str | None]:
    """(ephemeral?, channel id, thread to answer in) for the message holding the button."""
    container = dict_field(body, "container")
    channel = str(dict_field(body, "channel").get("id") or container.get("channel_id") or "")
    message = dict_field(body, "message")
    thread = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
    return bool(container.get("is_ephemeral")), channel, str(thread) if thread else None


def surface_of(ephemeral: bool, channel: str) -> str:
    return "command" if ephemeral else "dm" if channel.startswith("D") else "mention"
