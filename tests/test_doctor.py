"""`nms-bot doctor` against the local Web API stand-in: what a Slack admin sees, a line per check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nms_bot.slack.workspaces.oauth import BOT_SCOPES

from .slack_stub import SlackStub
from .test_cli import run

BOT_TOKEN = "xoxb-1111-2222-doctorsecret"
APP_TOKEN = "xapp-1-A1-3333-appsecret"
CHANNEL = "C0CONSULT1"


@pytest.fixture
def stub():
    s = SlackStub()
    s.scopes = ",".join(BOT_SCOPES)
    s.members = {CHANNEL}
    yield s
    s.close()


@pytest.fixture
def env(stub: SlackStub, tmp_path: Path) -> dict[str, str]:
    e = {
        "SLACK_API_URL": stub.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
        "NMS_ESCALATION_CHANNEL": CHANNEL,
        "NMS_DB": str(tmp_path / "bot.db"),
        "DATABASE_URL": "",
        "SLACK_CLIENT_ID": "",
        "NMS_APPROVED_ONLY": "",
    }
    assert run("db", "upgrade", env=e).returncode == 0
    return e


def lines(out: str) -> dict[str, str]:
    """check name -> its line, from doctor's text output."""
    return {line.split(":", 1)[0][6:]: line for line in out.splitlines() if line[:4] in ("OK  ", "FAIL", "INFO")}


def assert_no_secret(out: str) -> None:
    for secret in (BOT_TOKEN, APP_TOKEN, "0123456789abcdef0123456789abcdef", "doctorsecret", "appsecret"):
        assert secret not in out


def test_a_working_deployment_passes_every_check(env: dict[str, str], stub: SlackStub):
    r = run("doctor", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    got = lines(r.stdout)
    assert set(got) == {"SLACK_BOT_TOKEN", "scopes", "Socket Mode", "consult channel", "database", "knowledge"}
    assert all(line.startswith("OK") for line in got.values()), r.stdout
    assert "workspace T1" in got["SLACK_BOT_TOKEN"] and f"all {len(BOT_SCOPES)}" in got["scopes"]
    assert "14 topics, 0 approved" in got["knowledge"]
    assert {m for m, _ in stub.calls} == {"auth.test", "apps.connections.open", "conversations.info"}
    assert_no_secret(r.stdout + r.stderr)


def test_a_missing_scope_is_named_with_what_to_do(env: dict[str, str], stub: SlackStub):
    stub.scopes = ",".join(s for s in BOT_SCOPES if s != "groups:history")
    r = run("doctor", env=env)
    assert r.returncode == 1
    scopes = lines(r.stdout)["scopes"]
    assert scopes.startswith("FAIL") and "missing groups:history" in scopes and "Reinstall" in scopes
    assert "channels:history" not in scopes
    assert "1 problem(s) found" in r.stdout


def test_a_bad_token_fails_without_printing_it(env: dict[str, str], stub: SlackStub):
    stub.queued["auth.test"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]
    r = run("doctor", env=env)
    assert r.returncode == 1
    got = lines(r.stdout)
    assert got["SLACK_BOT_TOKEN"].startswith("FAIL") and "invalid_auth" in got["SLACK_BOT_TOKEN"]
    assert got["consult channel"].startswith("FAIL"), "no channel check without a working token"
    assert_no_secret(r.stdout + r.stderr)


def test_a_token_of_the_wrong_kind_is_named_by_kind(env: dict[str, str], stub: SlackStub):
    r = run("doctor", env={**env, "SLACK_BOT_TOKEN": APP_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN})
    assert r.returncode == 1
    got = lines(r.stdout)
    assert "an app-level token, not xoxb-" in got["SLACK_BOT_TOKEN"]
    assert "a bot token, not xapp-" in got["SLACK_APP_TOKEN"]
    assert not stub.calls, "a token of the wrong kind is never sent"
    assert_no_secret(r.stdout + r.stderr)


def test_a_consult_channel_the_bot_is_not_in_fails(env: dict[str, str], stub: SlackStub):
    stub.members = set()
    r = run("doctor", env=env)
    assert r.returncode == 1
    line = lines(r.stdout)["consult channel"]
    assert line.startswith("FAIL") and "not a member" in line and "/invite @nms-bot" in line
    assert stub.sent("conversations.info") == [{"channel": CHANNEL}]


def test_without_the_read_scopes_membership_is_checked_through_history(env: dict[str, str], stub: SlackStub):
    # conversations.info needs channels:read, which the manifest does not ask for
    stub.queued["conversations.info"] = [(200, {}, {"ok": False, "error": "missing_scope"})]
    stub.queued["conversations.history"] = [(200, {}, {"ok": False, "error": "not_in_channel"})]
    r = run("doctor", env=env)
    assert "not a member" in lines(r.stdout)["consult channel"] and r.returncode == 1
    stub.queued["conversations.info"] = [(200, {}, {"ok": False, "error": "missing_scope"})]
    r = run("doctor", env=env)
    assert lines(r.stdout)["consult channel"].startswith("OK") and r.returncode == 0


def test_http_mode_checks_the_signing_secret_s_shape(env: dict[str, str], stub: SlackStub):
    r = run("doctor", "--http", "--json", env=env)
    d = json.loads(r.stdout)
    assert r.returncode == 0 and d["ok"] is True and d["mode"] == "http"
    assert [c["name"] for c in d["checks"]][2] == "SLACK_SIGNING_SECRET"
    assert "apps.connections.open" not in {m for m, _ in stub.calls}
    r = run("doctor", "--http", "--json", env={**env, "SLACK_SIGNING_SECRET": BOT_TOKEN})
    d = json.loads(r.stdout)
    assert r.returncode == 1 and d["ok"] is False
    secret = next(c for c in d["checks"] if c["name"] == "SLACK_SIGNING_SECRET")
    assert secret["status"] == "fail" and "hex digits expected" in secret["detail"]
    assert_no_secret(r.stdout + r.stderr)


def test_database_and_knowledge_problems_are_reported(env: dict[str, str], tmp_path: Path):
    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "meta.yaml").write_text("version: [\n")
    r = run("doctor", "--knowledge", str(broken), env={**env, "NMS_DB": str(tmp_path / "none.db")})
    assert r.returncode == 1
    got = lines(r.stdout)
    assert got["database"].startswith("FAIL") and "no database at" in got["database"]
    assert got["knowledge"].startswith("FAIL") and "nms-bot validate" in got["knowledge"]
    assert not (tmp_path / "none.db").exists(), "doctor creates no database"


def test_no_consult_channel_is_said_but_is_no_problem(env: dict[str, str]):
    r = run("doctor", env={**env, "NMS_ESCALATION_CHANNEL": ""})
    assert r.returncode == 0 and lines(r.stdout)["consult channel"].startswith("INFO")
