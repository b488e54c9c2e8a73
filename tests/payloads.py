"""Slack's request payloads in their real shapes (tests/data/payloads/*.json), ready to replay."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

DIR = Path(__file__).parent / "data" / "payloads"


@cache
def _load(name: str) -> str:
    return (DIR / f"{name}.json").read_text()


def payload(
    name: str, *, stub_url: str = "http://127.0.0.1:9/api/", event_id: str | None = None, **event: Any
) -> dict[str, Any]:
    """The named payload; `event` fields replace the event's, `event_id` the envelope's."""
    body = json.loads(_load(name).replace('"STUB/', f'"{stub_url.removesuffix("api/")}'))
    if event_id:
        body["event_id"] = event_id
    if event:  # app_rate_limited and the like have no event at all
        body.setdefault("event", {}).update(copy.deepcopy(event))
    return body


def envelope(body: dict[str, Any], envelope_id: str, retry: int = 0) -> dict[str, Any]:
    """The payload as Socket Mode delivers it."""
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": body,
    }
