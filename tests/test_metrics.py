"""/metrics: counts after signed events, Web API outcomes and retries, reloads, the answering
queue, the Socket Mode health port; never question text or Slack ids."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from nms_bot.slack.common.metrics import api_method, outcome

from .conftest import KNOWLEDGE, Bot, start_bot
from .test_reload import bump


def scrape(bot: Bot) -> str:
    status, body = bot.get("/metrics")
    assert status == 200
    return body


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def delta(before: str, after: str, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_metrics_count_questions_answers_sent_and_feedback_after_signed_events(bot: Bot):
    before = scrape(bot)
    assert bot.mention("dantrolene", ts="1700000001.000100")[0] == 200  # answer
    assert bot.dm("lithium toxicity")[0] == 200  # out of scope
    assert bot.dm("hello")[0] == 200  # decline (a greeting)
    status, _ = bot.command("cooling zebrafinch4242")  # suggest
    assert status == 200
    bot.stub.wait_for(lambda: len(bot.stub.delivered_to("chat.postMessage")) == 3)
    assert bot.action("nms_feedback:not_helpful", "dantrolene|mention", user="UQQQ777")[0] == 200
    bot.stub.wait_for(lambda: bot.stub.delivered_to("chat.postEphemeral"))
    time.sleep(0.2)
    after = scrape(bot)

    q = "nms_questions_total"
    assert delta(before, after, q, surface="mention", verdict="answer") == 1
    assert delta(before, after, q, surface="dm", verdict="out_of_scope") == 1
    assert delta(before, after, q, surface="dm", verdict="decline") == 1
    assert delta(before, after, q, surface="command", verdict="suggest") == 1
    assert delta(before, after, q, surface="mention", verdict="suggest") == 0
    assert delta(before, after, "nms_matching_seconds_count") == 4
    assert value(after, "nms_matching_seconds_bucket", le="0.25") == value(after, "nms_matching_seconds_count")
    assert delta(before, after, "nms_slack_api_calls_total", method="chat.postMessage", outcome="ok") == 3
    assert delta(before, after, "nms_slack_api_calls_total", method="chat.postEphemeral", outcome="ok") == 1
    assert delta(before, after, "nms_feedback_presses_total", verdict="not_helpful", surface="mention") == 1
    assert delta(before, after, "nms_feedback_presses_total", verdict="helpful", surface="mention") == 0
    assert value(after, "nms_knowledge_info", version=bot.live.current.knowledge.version) == 1
    assert value(after, "nms_answering_queue_waiting") == 0
    # Nothing anyone typed, and no user, channel or team id, in any label or line.
    for secret in ("zebrafinch", "lithium", "hello", "U111", "UQQQ777", "C123", "D123", 'T1"'):
        assert secret not in after


def test_rate_limits_retries_and_slack_errors_are_counted_by_method_and_outcome(bot: Bot):
    before = scrape(bot)
    bot.stub.queued["chat.postMessage"] = [
        (429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}),  # then the call goes through
        (503, {}, {"ok": False, "error": "service_unavailable"}),  # the next call: retried, then ok
    ]
    bot.mention("dantrolene", ts="1700000002.000100")
    bot.stub.wait_for(lambda: len(bot.stub.delivered_to("chat.postMessage")) == 1)
    bot.mention("cooling", ts="1700000002.000200")
    bot.stub.wait_for(lambda: len(bot.stub.delivered_to("chat.postMessage")) == 2)
    bot.stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "not_in_channel"})]
    bot.mention("bromocriptine", ts="1700000002.000300")
    bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 5)
    time.sleep(0.3)
    after = scrape(bot)
    calls, retries = "nms_slack_api_calls_total", "nms_slack_api_retries_total"
    assert delta(before, after, retries, method="chat.postMessage", reason="rate_limited") == 1
    assert delta(before, after, retries, method="chat.postMessage", reason="server_error") == 1
    assert delta(before, after, calls, method="chat.postMessage", outcome="ok") == 2
    assert delta(before, after, calls, method="chat.postMessage", outcome="not_in_channel") == 1
    assert delta(before, after, calls, method="chat.postMessage", outcome="rate_limited") == 0


def test_reloads_are_counted_and_the_knowledge_version_follows(bot: Bot, kb: Path):
    before = scrape(bot)
    (kb / "topics" / "cooling.yaml").write_text("id: [broken\n")
    assert not bot.live.reload()
    shutil.copy(KNOWLEDGE / "topics" / "cooling.yaml", kb / "topics" / "cooling.yaml")
    bump(kb, "2099-01-01.1", "Cooling, revised")
    assert bot.live.reload()
    after = scrape(bot)
    assert delta(before, after, "nms_knowledge_reloads_total", outcome="refused") == 1
    assert delta(before, after, "nms_knowledge_reloads_total", outcome="ok") == 1
    assert value(after, "nms_knowledge_info", version="2099-01-01.1") == 1
    assert "2099-01-01.1" not in before


def test_the_answering_queue_depth_is_a_gauge(stub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'q.db'}", NMS_ANSWER_WORKERS="1")
    try:
        stub.delay["chat.postMessage"] = 0.5
        for i in range(4):
            bot.mention("dantrolene", ts=f"1700000003.00000{i}")
        stub.wait_for(lambda: value(scrape(bot), "nms_answering_queue_waiting") >= 2)
        assert value(scrape(bot), "nms_answering_queue_running") == 1
        assert value(scrape(bot), "nms_answering_queue_oldest_seconds") > 0
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 4)
        stub.wait_for(lambda: value(scrape(bot), "nms_answering_queue_running") == 0)
        assert value(scrape(bot), "nms_answering_queue_waiting") == 0
    finally:
        stop()


def test_labels_come_from_fixed_sets():
    assert api_method("http://127.0.0.1:1/api/chat.postMessage") == "chat.postMessage"
    assert api_method("https://hooks.slack.com/actions/T1/123/secret") == "response_url"
    assert api_method("http://x/api/chat.postMessage?token=xoxb-1") == "chat.postMessage"
    assert api_method("http://x/api/<script>") == "other"
    assert api_method("https://slack.com/api/oauth.v2.access") == "oauth.v2.access"
    assert outcome(200, {"ok": False, "error": "Patient John Smith"}) == "error"
    assert outcome(200, {"ok": False, "error": "channel_not_found"}) == "channel_not_found"
    assert outcome(None, None) == "connection_error" and outcome(502, None) == "server_error"


def test_socket_mode_health_port_serves_health_and_metrics(stub, kb: Path, tmp_path: Path):
    pytest.importorskip("websockets.sync.server")
    from nms_bot.slack.common.settings import load_settings
    from nms_bot.slack.serve.server import create, make_socket_handler, start_health_server
    from nms_bot.storage.store import Store

    from .conftest import TOKEN
    from .test_socket_mode import FakeSocketSlack, event_envelope

    fake = FakeSocketSlack()
    stub.socket_url = fake.url
    settings = load_settings(
        http=False,
        env={
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-A1-test",
            "SLACK_API_URL": stub.url,
            "NMS_HEALTH_PORT": "0",
        },
    )
    assert settings.health_port == 0
    app, live, services = create(settings, kb, Store(f"sqlite:///{tmp_path / 's.db'}"))
    handler = make_socket_handler(settings, app)
    health = start_health_server(settings, handler, live, services, host="127.0.0.1")
    url = f"http://127.0.0.1:{health.effective_port}"

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url + path, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        status, body = get("/healthz")
        assert status == 503 and json.loads(body)["connected"] is False  # not connected yet
        handler.connect()
        stub.wait_for(lambda: get("/healthz")[0] == 200)
        assert json.loads(get("/healthz")[1])["knowledge_version"] == live.current.knowledge.version
        fake.outbox.put(event_envelope("envM1", "EvM1", "dantrolene"))
        fake.outbox.put(event_envelope("envM2", "EvM2", "cooling zebrafinch4242"))
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 2)
        time.sleep(0.2)
        status, text = get("/metrics")
        assert status == 200
        assert value(text, "nms_questions_total", surface="mention", verdict="answer") == 1
        assert value(text, "nms_questions_total", surface="mention", verdict="suggest") == 1
        assert value(text, "nms_slack_api_calls_total", method="apps.connections.open", outcome="ok") >= 1
        assert "zebrafinch" not in text
        assert get("/slack/events")[0] == 404
    finally:
        handler.close()
        fake.close()
        health.close()
        services.answers.close()
        services.store.close()
