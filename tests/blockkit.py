"""Checks every message and view against Slack's limits with slack_sdk's own Block Kit models."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

OUR_MARKUP = re.compile(r"<@[UW][A-Z0-9]+>|<#[CGD][A-Z0-9]+>|<https?://[^\s<>|]+\|link>")


def check_blocks(blocks: list[dict[str, Any]], most: int) -> None:
    assert 1 <= len(blocks) <= most
    parsed = Block.parse_all(blocks)
    assert None not in parsed, "a block slack_sdk does not know"
    for block in parsed:
        block.validate_json()  # raises SlackObjectFormationError past any limit
    for b in blocks:
        for e in b.get("elements", []) if b["type"] == "actions" else []:
            if e["type"] == "radio_buttons":  # each option's text and description: at most 75 characters
                assert all(len(o["text"]["text"]) <= 75 and len(o["description"]["text"]) <= 75 for o in e["options"])
                continue
            assert len(e["text"]["text"]) <= 75 and len(e["value"]) <= 2000
            # what a screen reader says instead of the bare button text
            assert 10 <= len(e.get("accessibility_label") or "") <= 75, e


def check_message(message: dict[str, Any]) -> None:
    """A chat.postMessage / chat.update / response_url / slash command reply Slack accepts whole."""
    assert 1 <= len(message["text"]) <= 40000
    check_blocks(message["blocks"], 50)
    assert live_markup(message) == []


def unfurls(message: dict[str, Any]) -> bool:
    """Would Slack turn links in this post into previews? (Both settings must be off.)"""
    return any(message.get(k) not in (False, "false", "0", 0) for k in ("unfurl_links", "unfurl_media"))


def check_view(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    check_blocks(view["blocks"], 100)
    assert live_markup(view) == []


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]] if isinstance(payload.get("text"), str) else []
    for block in payload.get("blocks", []):
        parts = [block.get("text") or {}, *block.get("elements", [])]
        texts += [p["text"] for p in parts if p.get("type") == "mrkdwn"]
    return texts


def live_markup(payload: dict[str, Any]) -> list[str]:
    """Anything in mrkdwn Slack would treat as markup or an entity, apart from our own mentions and links."""
    found = []
    for text in mrkdwn_texts(payload):
        text = OUR_MARKUP.sub("", text)
        found += re.findall(r"<[^>]*>?|>", text) + re.findall(r"&(?!amp;|lt;|gt;)\w*;?", text)
    return found


def size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload).encode())
