"""Hostile callers: whatever arrives at /slack/events, the answer is 4xx, never 500 or a traceback."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from .conftest import Bot, sign
from .payloads import payload

NOW = str(int(time.time()))


def raw_post(bot: Bot, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(
        bot.url + "/slack/events", data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text


UNSIGNED_JUNK = [
    (b'\xff\xfe{"type": 1}', {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "0" * 64}),
    (b"{}", {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": "v0=\u00e9\u00e9"}),
    (b"{}", {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": "v1=abc"}),
    (b"{}", {"X-Slack-Request-Timestamp": NOW}),
]


@pytest.mark.parametrize("body, headers", UNSIGNED_JUNK)
def test_unsigned_junk_gets_401_without_a_traceback(bot: Bot, caplog, body: bytes, headers: dict[str, str]):
    encoded = {k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}  # as bytes on the wire
    with caplog.at_level(logging.INFO):
        assert raw_post(bot, body, encoded) == 401
    no_tracebacks(caplog)
    assert len(caplog.records) <= 1


def test_signed_body_that_is_not_utf8_gets_400(bot: Bot, caplog):
    body = b'{"type": "event_callback", "x": "\xff\xfe"}'
    ts = str(int(time.time()))  # now, not at import: a long suite runs this past Slack's 5 minutes
    import hashlib
    import hmac

    from .conftest import SECRET

    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    with caplog.at_level(logging.INFO):
        assert raw_post(bot, body, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}) == 400
    no_tracebacks(caplog)


def event_body(**override: Any) -> dict[str, Any]:
    body = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"EvH{time.monotonic_ns()}",
        "event_time": 1,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> cooling",
            "ts": "1.1",
            "channel": "C1",
            "event_ts": "1.1",
        },
    }
    body.update(override)
    return body


@pytest.mark.parametrize("event", [[1, 2], "app_mention", 5, None, True])
def test_signed_event_whose_event_is_not_an_object_gets_400(bot: Bot, caplog, event: Any):
    with caplog.at_level(logging.INFO):
        status, _ = bot.post(json.dumps(event_body(event=event)), "application/json")
    assert status == 400
    no_tracebacks(caplog)
    assert len(caplog.records) <= 1


JUNK_VALUES: list[Any] = [[1], "x", 7, None, {"a": [1]}, [{"type": 1}], True]


def mutations(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The body with each field (and each field of its objects) replaced by each junk value."""
    out = []
    for key, value in body.items():
        for junk in JUNK_VALUES:
            out.append({**body, key: junk})
        if isinstance(value, dict):
            for inner in value:
                out += [{**body, key: {**value, inner: junk}} for junk in JUNK_VALUES]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in value[0]:
                out += [{**body, key: [{**value[0], inner: junk}]} for junk in JUNK_VALUES]
    return out


def action_payload() -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1", "is_ephemeral": False},
        "team": {"id": "T1"},
        "channel": {"id": "C1"},
        "response_url": "http://127.0.0.1:1/r",
        "message": {"ts": "1.2", "text": "x"},
        "actions": [
            {"action_id": "nms_feedback:helpful", "value": "cooling|mention", "type": "button", "block_id": "b"}
        ],
    }


def test_signed_payloads_of_every_wrong_shape_never_get_500(bot: Bot, caplog):
    """A crude fuzzer: Slack's own payloads with fields swapped for lists, strings, numbers..."""
    bodies = [("application/json", json.dumps(b)) for b in mutations(event_body())]
    bodies += [("application/json", json.dumps(b)) for b in mutations(payload("message_channel_thread_reply"))]
    bodies += [
        ("application/x-www-form-urlencoded", urlencode({"payload": json.dumps(b)}))
        for b in mutations(action_payload())
    ]
    # the message shortcut, its modal submitted, Ask a colleague
    submitted = payload("view_submission")
    submitted["view"].update(
        private_metadata=json.dumps(
            {"channel": "C1", "thread": None, "origin": "1.2", "response_url": "http://127.0.0.1:1/r"}
        ),
        state={"values": {"question": {"text": {"type": "plain_text_input", "value": "ect"}}}},
    )
    escalate = action_payload()
    escalate["actions"] = [{**escalate["actions"][0], "action_id": "nms_escalate", "value": "|mention|"}]
    for interactive in (payload("message_action"), submitted, escalate):
        bodies += [
            ("application/x-www-form-urlencoded", urlencode({"payload": json.dumps(b)})) for b in mutations(interactive)
        ]
    command = {
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": "U1",
        "command": "/nms",
        "text": "cooling",
        "response_url": "http://127.0.0.1:1/r",
    }
    bodies += [
        ("application/x-www-form-urlencoded", urlencode({**command, key: junk}))
        for key in command
        for junk in ("", "[1]", "\u00e9" * 3, "x" * 5000)
    ]
    statuses: dict[int, int] = {}
    with caplog.at_level(logging.INFO):
        for ctype, body in bodies:
            status, _ = bot.post(body, ctype)
            statuses[status] = statuses.get(status, 0) + 1
    assert 500 not in statuses and set(statuses) <= {200, 400, 404}, statuses
    no_tracebacks(caplog)
    assert bot.get("/healthz")[0] == 200
    assert bot.mention("cooling")[0] == 200


def test_valid_requests_still_pass_the_stricter_signature_check(bot: Bot):
    body = json.dumps(event_body())
    assert raw_post(bot, body.encode(), sign(body)) == 200
    stale = sign(body, timestamp=int(time.time()) - 301)
    assert raw_post(bot, body.encode(), stale) == 401
