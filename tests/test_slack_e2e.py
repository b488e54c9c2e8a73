"""The Slack app end to end over loopback HTTP: signed requests in, recorded Web API calls out."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from .conftest import Bot, drained


def all_text(payload: dict) -> str:
    return json.dumps(payload)


def test_url_verification_echoes_challenge(bot: Bot):
    status, body = bot.post(
        json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}), "application/json"
    )
    assert status == 200 and "abc123" in body


def test_mention_is_answered_in_a_thread_with_citations_and_disclaimer(bot: Bot):
    status, _ = bot.mention("should we give dantrolene?", ts="1700000000.000100")
    assert status == 200
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["channel"] == "C123" and post["thread_ts"] == "1700000000.000100"
    blocks = post["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "NMS: Dantrolene"
    text = all_text(blocks)
    assert "[1] Dr.Oracle" in text and "Educational use only" in text
    assert "Dantrolene" in post["text"] and "Educational use only" in post["text"]


def test_mention_inside_a_thread_answers_in_that_thread(bot: Bot):
    bot.mention("cooling", ts="1700000009.000900", thread_ts="1700000000.000001")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["thread_ts"] == "1700000000.000001"


def test_direct_message_is_answered_in_the_dm(bot: Bot):
    bot.dm("rhabdo?")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["channel"] == "D123" and not post.get("thread_ts")
    assert "rhabdomyolysis" in post["blocks"][0]["text"]["text"].lower()


def test_bots_edits_and_other_subtypes_are_not_answered(bot: Bot):
    bot.dm("dantrolene", bot_id="BBOT")
    bot.dm("dantrolene", subtype="message_changed")
    bot.dm("dantrolene", subtype="message_deleted")
    bot.event(
        {"type": "message", "channel_type": "channel", "user": "U1", "text": "dantrolene", "ts": "1.1", "channel": "C1"}
    )
    bot.dm("cooling")  # a marker: once it is answered, the others had their chance
    bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    time.sleep(0.3)
    posts = bot.stub.sent("chat.postMessage")
    assert len(posts) == 1 and posts[0]["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"


def test_greeting_gets_a_how_to_not_a_topic(bot: Bot):
    bot.mention("good morning")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["type"] != "header"
    assert "Ask a question" in post["text"]


def test_unsure_question_offers_buttons_that_show_the_topic_in_the_same_thread(bot: Bot):
    bot.mention("kidney", ts="1700000000.000500")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["type"] != "header" and "Did you mean" in post["text"]
    [actions] = [b for b in post["blocks"] if b["type"] == "actions"]
    assert {e["value"] for e in actions["elements"]} >= {"monitoring", "supportive-care"}
    button = actions["elements"][0]
    bot.action(button["action_id"], button["value"], message_ts="1700000000.000600", thread_ts="1700000000.000500")
    posts = bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 2 and bot.stub.sent("chat.postMessage"))
    assert posts[1]["thread_ts"] == "1700000000.000500"
    assert posts[1]["blocks"][0]["type"] == "header"


def test_out_of_scope_condition_is_declined(bot: Bot):
    bot.mention("dantrolene for malignant hyperthermia")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert post["blocks"][0]["type"] != "header"
    assert "a question about malignant hyperthermia" in post["text"]


def test_slash_command_answers_ephemerally_in_the_ack_with_share_button(bot: Bot):
    status, body = bot.command("cooling")
    assert status == 200
    reply = json.loads(body)
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    share = next(b for b in buttons if b["action_id"].startswith("nms_share"))
    bot.action(share["action_id"], share["value"], ephemeral=True, user="U999")
    [shared] = bot.stub.wait_for(lambda: bot.stub.sent("/response/act"))
    assert shared["response_type"] == "in_channel"
    assert "Shared by <@U999>" in json.dumps(shared["blocks"])
    assert shared["blocks"][0]["text"]["text"] == "NMS: Cooling for hyperthermia"


def test_slash_command_help_topics_and_topic_id(bot: Bot):
    for text in ("", "help"):
        reply = json.loads(bot.command(text)[1])
        assert "/nms" in reply["text"] and "`dantrolene`" in reply["text"]
        assert "knowledge 2" in json.dumps(reply["blocks"]), "help shows the knowledge version"
    reply = json.loads(bot.command("topics")[1])
    assert "`rechallenge`" in reply["text"]
    reply = json.loads(bot.command("ect")[1])
    assert reply["blocks"][0]["text"]["text"] == "NMS: Electroconvulsive therapy (ECT)"


def test_related_topics_are_buttons_and_open_in_place(bot: Bot):
    reply = json.loads(bot.command("dantrolene")[1])
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    related = [b for b in buttons if b["action_id"].startswith("nms_topic:")]
    assert {b["value"] for b in related} == {"bromocriptine", "evidence", "pharmacotherapy"}
    bot.action(related[0]["action_id"], related[0]["value"], ephemeral=True)
    [shown] = bot.stub.wait_for(lambda: bot.stub.sent("/response/act"))
    assert shown["response_type"] == "ephemeral" and shown["blocks"][0]["type"] == "header"


def test_app_home_is_published_with_topics_and_full_disclaimer(bot: Bot):
    bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish"))
    assert call["user_id"] == "U111"
    text = json.dumps(call["view"])
    assert call["view"]["type"] == "home" and "Professional" not in text
    assert "Educational purpose only" in text and "`overview`" in text and "knowledge 2" in text


def test_forged_missing_and_stale_signatures_get_401_and_cause_nothing(bot: Bot):
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "EvX",
            "team_id": "T1",
            "event": {"type": "app_mention", "user": "U1", "text": "dantrolene", "ts": "1.1", "channel": "C1"},
        }
    )
    assert bot.post(body, "application/json", signed=False)[0] == 401
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    assert bot.post(body, "application/json", signed=False, headers=forged)[0] == 401
    from .conftest import sign

    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    assert bot.post(body, "application/json", signed=False, headers=stale)[0] == 401
    time.sleep(0.3)
    assert bot.stub.sent("chat.postMessage") == []


def test_malformed_bodies_get_400_and_the_server_keeps_serving(bot: Bot):
    assert bot.post("{not json", "application/json")[0] == 400
    assert bot.post("payload=%7Bbroken", "application/x-www-form-urlencoded")[0] == 400
    assert bot.post("[1, 2]", "application/json")[0] == 400
    assert bot.post("\xff\xfe", "application/json")[0] in (400, 401)
    assert bot.get("/healthz")[0] == 200
    assert bot.mention("cooling")[0] == 200
    bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))


def test_healthz_reports_the_knowledge_version(bot: Bot):
    status, body = bot.get("/healthz")
    assert status == 200 and json.loads(body)["knowledge_version"] == bot.live.current.knowledge.version
    assert bot.get("/nope")[0] == 404


def test_retried_event_is_acknowledged_but_answered_once(bot: Bot):
    assert bot.mention("cooling", event_id="EvRETRY1")[0] == 200
    assert (
        bot.mention(
            "cooling", event_id="EvRETRY1", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )[0]
        == 200
    )
    bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    drained(bot)
    assert len(bot.stub.sent("chat.postMessage")) == 1


def test_200_concurrent_events_are_each_answered_exactly_once(bot: Bot):
    def send(i: int) -> int:
        return bot.mention("dantrolene", ts=f"1700000000.{i:06d}", event_id=f"EvC{i:04d}")[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, range(200)))
        # and a retry storm of the first 50 at the same time
        retries = list(
            pool.map(
                lambda i: bot.mention(
                    "dantrolene", ts=f"1700000000.{i:06d}", event_id=f"EvC{i:04d}", headers={"X-Slack-Retry-Num": "1"}
                )[0],
                range(50),
            )
        )
    assert set(statuses) == {200} and set(retries) == {200}
    bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) >= 200, timeout=60)
    drained(bot)
    threads = sorted(p["thread_ts"] for p in bot.stub.sent("chat.postMessage"))
    assert len(threads) == 200 and len(set(threads)) == 200


def test_huge_message_is_acknowledged_quickly_and_answered_once(bot: Bot):
    question = "dantrolene " + "x" * 40000
    start = time.monotonic()
    status, _ = bot.mention(question)
    assert status == 200 and time.monotonic() - start < 3
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    assert len(post["text"]) < 40000
    drained(bot)
    assert len(bot.stub.sent("chat.postMessage")) == 1


def test_hostile_markup_is_never_echoed_live(bot: Bot):
    bot.mention("<!channel> <!here> <@U0ADMIN> <https://evil.example|click> dantrolene &lt;!everyone&gt;")
    bot.command("<!channel> <https://evil.example|x>")
    [post] = bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    reply = json.loads(bot.command("<!here> cooling")[1])
    for payload in (post, reply):
        text = json.dumps(payload)
        for live in ("<!channel>", "<!here>", "<!everyone>", "<@U0ADMIN>", "evil.example"):
            assert live not in text


def test_rate_limited_post_is_retried_after_retry_after(bot: Bot):
    limited = (429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})
    bot.stub.queued["chat.postMessage"] = [limited, limited]
    start = time.monotonic()
    bot.mention("cooling")
    bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 3, timeout=15)
    assert time.monotonic() - start >= 2  # waited Retry-After each time
    drained(bot)
    assert len(bot.stub.sent("chat.postMessage")) == 3  # two 429s, then the delivered retry


def test_api_errors_are_logged_without_secrets_and_the_bot_keeps_going(bot: Bot, caplog):
    bot.stub.queued["chat.postMessage"] = [
        (200, {}, {"ok": False, "error": "not_in_channel"}),
        (200, {}, {"ok": False, "error": "channel_not_found"}),
    ]
    with caplog.at_level("INFO"):
        bot.mention("cooling")
        bot.mention("ect")
        bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 2)
        time.sleep(0.3)
        bot.mention("dantrolene")
        bot.stub.wait_for(lambda: len(bot.stub.sent("chat.postMessage")) == 3)
    logged = caplog.text
    assert "not_in_channel" in logged and "channel_not_found" in logged
    assert "xoxb-" not in logged and "dantrolene" not in logged.lower() and "cooling" not in logged.lower()
    assert bot.get("/healthz")[0] == 200


def test_web_api_stand_in_sees_the_bot_token_only_in_the_authorization_header(bot: Bot):
    bot.mention("cooling")
    bot.stub.wait_for(lambda: bot.stub.sent("chat.postMessage"))
    auth = [h.get("Authorization") for h in bot.stub.headers if h.get("Authorization")]
    assert auth and all(a == "Bearer xoxb-1234-5678-testtoken" for a in auth)
