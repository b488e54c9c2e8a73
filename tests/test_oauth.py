"""Many workspaces (OAuth mode): install through /slack/install and /slack/oauth_redirect against
the Web API stand-in, answer each workspace with its own token, rotate tokens, forget a workspace
on uninstall, and keep no plain token in the database."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, select, table, text

from nms_bot.slack.workspaces.oauth import BOT_SCOPES
from nms_bot.storage.store import Store

from .conftest import ROOT, SECRET, TOKEN, Bot, drained, start_bot
from .slack_stub import SlackStub

KEY = Fernet.generate_key().decode()
CLIENT = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "abcdef0123456789abcdef0123456789",
    "NMS_TOKEN_KEY": KEY,
    "SLACK_BOT_TOKEN": "",
}
T9_TOKEN = "xoxb-9999-8888-hospitalnine"
ORG_TOKEN = "xoxb-7777-6666-orgwideinstall"


def grant(token: str, team: str | None, enterprise: str | None = None, **extra: Any) -> dict[str, Any]:
    """oauth.v2.access as Slack answers it for a bot install."""
    return {
        "ok": True,
        "app_id": "A1",
        "access_token": token,
        "token_type": "bot",
        "scope": ",".join(BOT_SCOPES),
        "bot_user_id": "UBOT",
        "team": {"id": team, "name": "Hospital"} if team else None,
        "enterprise": {"id": enterprise, "name": "Health system"} if enterprise else None,
        "is_enterprise_install": team is None,
        "authed_user": {"id": "UADMIN"},
        **extra,
    }


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def install(bot: Bot, stub: SlackStub, access: dict[str, Any]) -> str:
    """A Slack admin clicks through: the install page, Slack's authorize page, the redirect back."""
    status, page, headers = get(bot.url + "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([0-9a-f]+)", page).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.endswith(state)
    assert f"client_id={CLIENT['SLACK_CLIENT_ID']}" in page and "chat%3Awrite" in page.replace(":", "%3A")
    stub.queued["oauth.v2.access"] = [(200, {}, access)]
    stub.auth[access["access_token"]] = {
        "team_id": (access["team"] or {}).get("id"),
        "bot_id": "BBOT",
        "enterprise_id": (access["enterprise"] or {}).get("id"),
    }
    status, page, _ = get(f"{bot.url}/slack/oauth_redirect?code=code-{state[:6]}&state={state}", {"Cookie": cookie})
    assert status == 200, page
    assert len([p for p in stub.sent("oauth.v2.access") if p.get("code") == f"code-{state[:6]}"]) == 1
    return page


def event_for(
    team: str | None,
    text_: str,
    ts: str,
    enterprise: str | None = None,
    event_id: str | None = None,
    org_wide: bool = False,
) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team or "T7",
        "enterprise_id": enterprise,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id or f"Ev{ts}",
        "event_time": int(time.time()),
        "is_enterprise_install": org_wide,
        "authorizations": [
            {
                "enterprise_id": enterprise,
                "team_id": None if org_wide else team,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": org_wide,
            }
        ],
        "event": {
            "type": "app_mention",
            "user": "U111",
            "text": f"<@UBOT> {text_}",
            "ts": ts,
            "channel": f"C{team or 'ORG'}",
            "event_ts": ts,
        },
    }


def tokens_used(stub: SlackStub, method: str) -> list[str]:
    with stub.lock:
        return [
            h.get("Authorization", "").removeprefix("Bearer ")
            for (m, _), h in zip(stub.calls, stub.headers, strict=True)
            if m == method
        ]


def every_stored_value(db: Path) -> str:
    """Every value in every table, and the raw bytes of the database files."""
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        dump = json.dumps(
            {n: [list(r) for r in conn.execute(select(text("*")).select_from(table(n)))] for n in names}, default=str
        )
    engine.dispose()
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    return dump + raw.decode("latin-1")


@pytest.fixture
def oauth_bot(stub: SlackStub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'oauth.db'}", **CLIENT)
    yield bot
    stop()


def test_install_answer_with_each_workspace_s_token_and_uninstall(oauth_bot: Bot, stub: SlackStub, tmp_path: Path):
    bot = oauth_bot
    install(bot, stub, grant(T9_TOKEN, "T9"))
    install(bot, stub, grant(ORG_TOKEN, None, enterprise="E1"))  # org-wide (Enterprise Grid) install

    assert bot.send(event_for("T9", "dantrolene", "1700000100.000001"))[0] == 200
    assert bot.send(event_for("T7", "cooling", "1700000100.000002", enterprise="E1", org_wide=True))[0] == 200
    stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 2)
    posts = dict(zip(tokens_used(stub, "chat.postMessage"), stub.sent("chat.postMessage"), strict=True))
    assert posts[T9_TOKEN]["channel"] == "CT9" and posts[ORG_TOKEN]["channel"] == "CT7"

    # a retry is not answered again; feedback is recorded for the workspace it came from
    assert bot.send(event_for("T9", "dantrolene", "1700000100.000001"), headers={"X-Slack-Retry-Num": "1"})[0] == 200
    drained(bot)
    assert len(stub.sent("chat.postMessage")) == 2

    metrics = bot.get("/metrics")[1]
    assert 'nms_slack_api_calls_total{method="oauth.v2.access",outcome="ok"} 2.0' in metrics
    assert 'nms_slack_api_calls_total{method="chat.postMessage",outcome="ok"} 2.0' in metrics
    assert "T9" not in metrics and "E1" not in metrics and "hospitalnine" not in metrics

    stored = every_stored_value(tmp_path / "oauth.db")
    assert stored.count('"gAAAA') >= 4  # the two workspaces' tokens, sealed (Fernet), in both tables
    for token in (T9_TOKEN, ORG_TOKEN, "9999-8888", "orgwideinstall"):
        assert token not in stored, "a plain token in the database"
    assert CLIENT["SLACK_CLIENT_SECRET"] not in stored

    # uninstalled from T9: its tokens go, the organisation's stay
    uninstall = {
        "token": "legacy",
        "team_id": "T9",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "EvUninstall",
        "event_time": int(time.time()),
        "event": {"type": "app_uninstalled"},
    }
    assert bot.send(uninstall)[0] == 200
    installations = bot.services.installations
    stub.wait_for(lambda: installations.find_bot(enterprise_id=None, team_id="T9") is None)
    assert installations.find_installation(enterprise_id=None, team_id="T9") is None
    assert installations.find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True).bot_token == ORG_TOKEN
    assert bot.send(event_for("T9", "cooling", "1700000100.000003"))[0] in (200, 401)
    drained(bot)
    assert tokens_used(stub, "chat.postMessage").count(T9_TOKEN) == 1

    # tokens_revoked for the organisation's bot: gone too
    revoked = {
        "token": "legacy",
        "enterprise_id": "E1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "EvRevoked",
        "event_time": int(time.time()),
        "is_enterprise_install": True,
        "authorizations": [
            {"enterprise_id": "E1", "team_id": None, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": True}
        ],
        "event": {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}},
    }
    assert bot.send(revoked)[0] == 200
    stub.wait_for(
        lambda: (
            installations.find_installation(enterprise_id="E1", team_id=None, is_enterprise_install=True) is None
            or installations.find_installation(enterprise_id="E1", team_id=None, is_enterprise_install=True).bot_token
            is None
        )
    )
    assert installations.find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True) is None


def test_questions_a_dead_process_left_are_answered_with_their_workspace_s_token(oauth_bot: Bot, stub: SlackStub):
    from nms_bot.slack.delivery.questions import Question

    bot = oauth_bot
    install(bot, stub, grant(T9_TOKEN, "T9"))
    install(bot, stub, grant(ORG_TOKEN, None, enterprise="E1"))
    left = [
        Question("CT9", "1700000200.000001", "cooling", "mention", "T9", thread_ts="1700000200.000001"),
        Question(
            "CT7",
            "1700000200.000002",
            "ect",
            "mention",
            "T7",
            "1700000200.000002",
            install={"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True},
        ),
    ]
    for i, question in enumerate(left):  # kept by a process elsewhere that died: its lease has run out
        bot.services.store.enqueue(f"EvLeft{i}", question.to_json(), "elsewhere:1:gone", 0, 1.0)
    drained(bot, timeout=20)  # taken up by the next look for free questions
    posts = dict(zip(tokens_used(stub, "chat.postMessage"), stub.sent("chat.postMessage"), strict=True))
    assert posts[T9_TOKEN]["channel"] == "CT9" and posts[ORG_TOKEN]["channel"] == "CT7" and len(posts) == 2


def test_feedback_is_kept_per_workspace(oauth_bot: Bot, stub: SlackStub):
    bot = oauth_bot
    install(bot, stub, grant(T9_TOKEN, "T9"))
    payload = {
        "type": "block_actions",
        "user": {"id": "U111", "team_id": "T9"},
        "api_app_id": "A1",
        "token": "legacy",
        "team": {"id": "T9", "domain": "hosp9"},
        "channel": {"id": "CT9"},
        "container": {"type": "message", "message_ts": "1700000200.000001", "channel_id": "CT9", "is_ephemeral": False},
        "message": {"type": "message", "ts": "1700000200.000001", "user": "UBOT", "bot_id": "BBOT", "text": "answer"},
        "trigger_id": "1.2.x",
        "response_url": stub.response_url("act"),
        "is_enterprise_install": False,
        "actions": [
            {
                "action_id": "nms_feedback:helpful",
                "block_id": "b1",
                "type": "button",
                "value": "dantrolene|mention",
                "action_ts": "1700000201.1",
                "text": {"type": "plain_text", "text": "x"},
            }
        ],
    }
    from urllib.parse import urlencode

    assert bot.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")[0] == 200
    stub.wait_for(lambda: stub.delivered_to("chat.postEphemeral"))
    assert tokens_used(stub, "chat.postEphemeral") == [T9_TOKEN]
    rows = bot.services.store.table_rows()["nms_feedback"]
    assert [(r["team"], r["topic_id"], r["verdict"]) for r in rows] == [("T9", "dantrolene", "helpful")]


def test_rotating_tokens_are_refreshed_before_they_expire_and_stored_sealed(
    oauth_bot: Bot, stub: SlackStub, tmp_path: Path
):
    bot = oauth_bot
    first, refresh = "xoxe.xoxb-1-firstaccesstoken", "xoxe-1-firstrefreshtoken"
    install(bot, stub, grant(first, "T9", refresh_token=refresh, expires_in=600))  # within Bolt's 2-hour margin
    renewed = "xoxe.xoxb-1-renewedaccesstoken"
    stub.queued["oauth.v2.access"] = [
        (
            200,
            {},
            {
                "ok": True,
                "access_token": renewed,
                "token_type": "bot",
                "refresh_token": "xoxe-1-renewedrefresh",
                "expires_in": 43200,
                "team": {"id": "T9"},
                "enterprise": None,
            },
        )
    ]
    stub.auth[renewed] = {"team_id": "T9"}
    assert bot.send(event_for("T9", "dantrolene", "1700000300.000001"))[0] == 200
    stub.wait_for(lambda: stub.delivered_to("chat.postMessage"))
    [refreshing] = [p for p in stub.sent("oauth.v2.access") if p.get("grant_type") == "refresh_token"]
    assert refreshing["refresh_token"] == refresh
    assert tokens_used(stub, "chat.postMessage") == [renewed]
    bot_row = bot.services.installations.find_bot(enterprise_id=None, team_id="T9")
    assert bot_row.bot_token == renewed and bot_row.bot_refresh_token == "xoxe-1-renewedrefresh"
    stored = every_stored_value(tmp_path / "oauth.db")
    for token in ("firstaccesstoken", "firstrefreshtoken", "renewedaccesstoken", "renewedrefresh"):
        assert token not in stored


def test_a_bad_state_or_code_is_refused_and_installs_nothing(oauth_bot: Bot, stub: SlackStub):
    status, _, _ = get(f"{oauth_bot.url}/slack/oauth_redirect?code=x&state=forged", {"Cookie": "x=y"})
    assert status >= 400
    stub.queued["oauth.v2.access"] = [(200, {}, {"ok": False, "error": "invalid_code"})]
    page = get(oauth_bot.url + "/slack/install")[1]
    state = re.search(r"state=([0-9a-f]+)", page).group(1)
    status, _, _ = get(
        f"{oauth_bot.url}/slack/oauth_redirect?code=bad&state={state}", {"Cookie": f"slack-app-oauth-state={state}"}
    )
    assert status >= 400
    assert oauth_bot.services.installations.find_bot(enterprise_id=None, team_id="T1") is None
    assert not list(oauth_bot.services.installations.bot_tokens())


def serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nms_bot", "serve", "--http", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "SLACK_SIGNING_SECRET": SECRET,
            "NMS_DB": str(tmp_path / "keys.db"),
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            **env,
        },
    )


def test_a_missing_malformed_or_wrong_token_key_stops_serve_with_one_line(stub: SlackStub, kb: Path, tmp_path: Path):
    r = serve({**CLIENT, "NMS_TOKEN_KEY": ""}, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "NMS_TOKEN_KEY is not set" in r.stderr
    r = serve({**CLIENT, "NMS_TOKEN_KEY": "not-a-key"}, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "NMS_TOKEN_KEY is not a Fernet key" in r.stderr
    assert "not-a-key" not in r.stderr
    # tokens stored with one key, then the bot started with another
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'keys.db'}", **CLIENT)
    try:
        install(bot, stub, grant(T9_TOKEN, "T9"))
    finally:
        stop()
    other = Fernet.generate_key().decode()
    r = serve({**CLIENT, "NMS_TOKEN_KEY": other}, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "NMS_TOKEN_KEY cannot decrypt the Slack tokens stored in the database" in r.stderr
    assert other not in r.stderr and KEY not in r.stderr
    # a new key first and the old one after it: tokens open
    store = Store(f"sqlite:///{tmp_path / 'keys.db'}")
    try:
        from nms_bot.slack.common.settings import token_sealer
        from nms_bot.slack.workspaces.installations import DatabaseInstallationStore

        both = DatabaseInstallationStore(store, CLIENT["SLACK_CLIENT_ID"], token_sealer(f"{other},{KEY}"))
        assert both.find_bot(enterprise_id=None, team_id="T9").bot_token == T9_TOKEN
    finally:
        store.close()


@pytest.mark.parametrize(
    "env, message",
    [
        ({**CLIENT, "SLACK_BOT_TOKEN": "xoxb-1-2-3"}, "not both"),
        ({**CLIENT, "SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is not set"),
        ({**CLIENT, "SLACK_CLIENT_ID": "abc"}, "SLACK_CLIENT_ID does not look right"),
    ],
)
def test_many_workspaces_settings_are_checked_in_one_line(env: dict[str, str], message: str, tmp_path: Path):
    r = serve(env, tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert CLIENT["SLACK_CLIENT_SECRET"] not in r.stderr


def test_many_workspaces_mode_needs_http(tmp_path: Path):
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **CLIENT, "SLACK_APP_TOKEN": "xapp-1-2", "NMS_DB": str(tmp_path / "s.db")},
    )
    assert r.returncode == 2 and "runs in HTTP mode: add --http" in r.stderr


def test_the_scopes_requested_are_the_manifest_s():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_review_reminders_go_through_the_workspace_that_knows_the_owner(oauth_bot: Bot, stub: SlackStub):
    from nms_bot.slack.workspaces.oauth import EveryWorkspace

    install(oauth_bot, stub, grant(T9_TOKEN, "T9"))
    time.sleep(0.01)
    install(oauth_bot, stub, grant("xoxb-8888-1-hospitaleight", "T8"))
    poster = EveryWorkspace(oauth_bot.services.installations, oauth_bot.app.client)
    stub.queued["chat.postMessage"] = [(200, {}, {"ok": False, "error": "channel_not_found"})]
    poster.chat_postMessage(channel="UOWNER1", text="review due")
    assert tokens_used(stub, "chat.postMessage") == ["xoxb-8888-1-hospitaleight", T9_TOKEN]
    assert [p["channel"] for p in stub.delivered_to("chat.postMessage")] == ["UOWNER1"]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_failed_code_exchange_never_writes_the_code_to_the_log(stub: SlackStub, kb: Path, tmp_path: Path, log_format):
    """Bolt's OAuth flow logs "Failed to fetch oauth.v2.access result with code: ..." itself."""
    from .test_shutdown import _up, start, stop

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**CLIENT, "SLACK_SIGNING_SECRET": SECRET, "LOG_FORMAT": log_format}
    proc = start(["--http", "--port", str(port)], stub, tmp_path, kb, **env)
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    code = "4242424242.5151515151.cafe0babe0"
    try:
        stub.wait_for(lambda: _up(bot), timeout=30)
        stub.queued["oauth.v2.access"] = [(200, {}, {"ok": False, "error": "invalid_code"})]
        state = re.search(r"state=([0-9a-f]+)", get(bot.url + "/slack/install")[1]).group(1)
        status, _, _ = get(
            f"{bot.url}/slack/oauth_redirect?code={code}&state={state}", {"Cookie": f"slack-app-oauth-state={state}"}
        )
        assert status >= 400
        assert [p["code"] for p in stub.sent("oauth.v2.access")] == [code]
        exit_code, err = stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert exit_code == 0
    for part in code.split("."):
        assert part not in err, err
    assert "installation failed: Slack refused the code exchange (oauth.v2.access: invalid_code)" in err
    if log_format == "json":
        assert all(json.loads(line) for line in err.splitlines())


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def test_the_state_store_takes_each_state_once_within_ten_minutes(tmp_path: Path):
    """The store's own promise (Bolt's cookie check alone would hide a store that takes anything)."""
    from nms_bot.slack.common.limits import TooManyStates
    from nms_bot.slack.workspaces.installations import DatabaseOAuthStateStore

    store = Store(f"sqlite:///{tmp_path / 'states.db'}")
    clock = Clock()
    states = DatabaseOAuthStateStore(store, now=clock, max_live=3)
    try:
        once, late, in_time = states.issue(), states.issue(), states.issue()
        assert len({once, late, in_time}) == 3
        assert states.consume(once) and not states.consume(once), "a state is taken once"
        assert not states.consume("0" * 32) and not states.consume(""), "an unknown state is refused"
        clock.now += dt.timedelta(minutes=9, seconds=59)
        assert states.consume(in_time)
        clock.now += dt.timedelta(seconds=1)
        assert not states.consume(late), "ten minutes after it was issued, a state is spent"
        # at most `max_live` states at once; expired ones make room again
        issued = [states.issue() for _ in range(3)]
        with pytest.raises(TooManyStates):
            states.issue()
        assert states.consume(issued[0])
        states.issue()
        clock.now += dt.timedelta(minutes=10)
        assert [states.issue() for _ in range(3)]
    finally:
        store.close()


def test_anonymous_install_page_visits_store_a_bounded_number_of_states(oauth_bot: Bot):
    """Every visit to /slack/install stores an OAuth state: one client gets 10 a minute, then 429."""
    statuses = [get(oauth_bot.url + "/slack/install") for _ in range(40)]
    assert [s for s, _, _ in statuses] == [200] * 10 + [429] * 30
    assert statuses[-1][2]["Retry-After"] == "60"
    with oauth_bot.services.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM nms_slack_oauth_states")).scalar_one() == 10


def test_auth_test_is_called_once_per_process_per_workspace(oauth_bot: Bot, stub: SlackStub):
    """Bolt's default authorize calls auth.test on every request, before the ack: ours once per token."""
    install(oauth_bot, stub, grant(T9_TOKEN, "T9"))
    install(oauth_bot, stub, grant("xoxb-5555-4444-hospitalfive", "T5"))
    installed = len(stub.sent("auth.test"))  # Bolt's OAuth flow checks each new token once
    for i in range(6):
        assert oauth_bot.send(event_for("T9" if i % 2 else "T5", "cooling", f"1700000300.00000{i}"))[0] == 200
    stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 6)
    posted_with = tokens_used(stub, "chat.postMessage")
    assert posted_with.count(T9_TOKEN) == 3 and posted_with.count("xoxb-5555-4444-hospitalfive") == 3
    assert sorted(tokens_used(stub, "auth.test")[installed:]) == sorted([T9_TOKEN, "xoxb-5555-4444-hospitalfive"])


def test_auth_test_is_called_at_start_only_with_one_workspace(stub: SlackStub, kb: Path, tmp_path: Path):
    bot, stop = start_bot(stub, kb, f"sqlite:///{tmp_path / 'one.db'}")
    try:
        at_start = tokens_used(stub, "auth.test")
        assert at_start == [TOKEN], "the start-up check only: Bolt is handed its answer"
        for i in range(5):
            assert bot.mention("cooling", ts=f"1700000400.00000{i}")[0] == 200
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) == 5)
        assert tokens_used(stub, "auth.test") == at_start, "no request calls auth.test"
    finally:
        stop()
