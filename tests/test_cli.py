"""The `nms-bot` command line as a script would use it: output, JSON, stdin, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from .conftest import KNOWLEDGE, run_unprivileged

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.yaml"
OWN = Path(__file__).resolve().parent / "data" / "questions.yaml"


def run(
    *args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    exe = shutil.which("nms-bot")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "nms_bot", *args]
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, timeout=60, cwd=cwd, env={**os.environ, **(env or {})}
    )


def test_ask_prints_the_answer_with_citations_and_disclaimer():
    r = run("ask", "should we give dantrolene?")
    assert r.returncode == 0
    assert r.stdout.startswith("NMS: Dantrolene\n")
    assert "[1] Dr.Oracle" in r.stdout and "Disclaimer: Educational use only" in r.stdout


def test_installed_program_answers_from_anywhere_with_its_bundled_knowledge(tmp_path: Path):
    r = run("ask", "ECT when", cwd=tmp_path, env={"NMS_KNOWLEDGE": ""})
    assert r.returncode == 0 and r.stdout.startswith("NMS: Electroconvulsive therapy (ECT)")


def test_ask_json_is_one_object():
    r = run("ask", "--json", "rhabdo?")
    d = json.loads(r.stdout)
    assert r.returncode == 0 and d["status"] == "answer" and d["topic"]["id"] == "fluids"


def test_ask_reads_one_question_per_line_from_stdin_and_answers_every_line():
    r = run("ask", "--json", stdin="hello\n\nECT when\n   \nserotonin syndrome\n")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["status"] for d in lines] == ["none", "none", "answer", "none", "none"], "lines out = lines in"
    assert lines[2]["topic"]["id"] == "ect" and lines[1]["question"] == ""
    r = run("ask", stdin="cooling\nbenzo\n")
    assert r.stdout.count("Disclaimer:") == 2


def test_ask_exits_0_when_declining_and_2_on_usage_errors():
    assert run("ask", "where is the parking garage").returncode == 0
    assert run("ask", "--bogus").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run().returncode == 2


def test_broken_knowledge_base_exits_1_with_file_line_messages(kb: Path):
    (kb / "topics" / "ect.yaml").write_text(
        (kb / "topics" / "ect.yaml").read_text().replace("cite: [jpma-2014]", "cite: [nope]")
    )
    r = run("ask", "--knowledge", str(kb), "ECT")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "ect.yaml:" in r.stderr and "unknown citation key 'nope'" in r.stderr
    r = run("validate", str(kb))
    assert r.returncode == 1 and "unknown citation key 'nope'" in r.stderr


def test_validate_clean_exit_0_and_strict_max_age(kb: Path):
    r = run("validate", str(kb))
    assert r.returncode == 0 and "OK, 14 topics" in r.stdout
    assert run("validate", str(kb), "--max-age", "0").returncode == 0  # updated today: not stale
    old = kb / "topics" / "ect.yaml"
    old.write_text(old.read_text().replace("updated: 2026-11-25", "updated: 2020-01-01"))
    r = run("validate", str(kb))
    assert r.returncode == 0 and "warning: topic 'ect' was last updated 2020-01-01" in r.stderr
    assert run("validate", str(kb), "--strict").returncode == 1
    assert run("validate", str(kb), "--strict", "--max-age", "100000").returncode == 0


def test_topics_lists_every_topic():
    r = run("topics", "--json")
    ids = {t["id"] for t in json.loads(r.stdout)}
    assert {"overview", "dantrolene", "ect", "rechallenge"} <= ids
    assert "dantrolene" in run("topics").stdout


def test_eval_reports_and_gates(tmp_path: Path):
    r = run("eval", str(OWN))
    assert r.returncode == 0 and "in-scope accuracy" in r.stdout and "out-of-scope rejected" in r.stdout
    d = json.loads(run("eval", str(OWN), "--json").stdout)
    assert d["accuracy"] >= 0.95 and d["passed"] is True
    bad = tmp_path / "q.yaml"
    bad.write_text("- {q: 'dantrolene', expect: [cooling]}\n- {q: 'hello', expect: none}\n")
    r = run("eval", str(bad), "--min-accuracy", "0.95", "--max-wrong", "0")
    assert r.returncode == 1 and "WRONG" in r.stdout and "'dantrolene'" in r.stdout
    assert "FAILED: accuracy 0.0% is below --min-accuracy 95.0%; 1 wrong answers exceed --max-wrong 0" in r.stderr
    r = run("eval", str(OWN), "--min-accuracy", "95")
    assert r.returncode == 2 and "--min-accuracy is a share between 0 and 1 (e.g. 0.95), not 95" in r.stderr
    bad.write_text("just text")
    assert run("eval", str(bad)).returncode == 2


def test_eval_shows_the_one_click_figure_and_each_kind(tmp_path: Path):
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {q: 'dantrolene?', expect: [dantrolene], kind: plain}\n"
        "- {q: 'kidney', expect: [monitoring], kind: hard}\n"
        "- {q: 'coffee anyone', expect: none, kind: oos}\n"
    )
    r = run("eval", str(questions))
    assert "right topic in one click (answer or first suggestion): 100.0%" in r.stdout
    assert "in-scope accuracy: 50.0% of 2" in r.stdout
    lines = r.stdout.splitlines()
    table = lines[lines.index(next(x for x in lines if x.startswith("kind "))) + 1 :][:3]
    rows = {line.split()[0]: line.split()[1:] for line in table}
    assert rows["hard"] == ["1", "0", "1", "0"] and rows["plain"] == ["1", "1", "1", "0"]
    d = json.loads(run("eval", str(questions), "--json").stdout)
    assert d["one_click"] == 1.0 and d["by_kind"]["oos"] == {"questions": 1, "right": 1, "one_click": 1, "wrong": 0}


def test_ask_explain_shows_how_the_question_was_read():
    r = run("ask", "--explain", "45F on haldol, T 40, rigid, NPO: dantrolen 2mg?")
    out = r.stdout
    assert r.returncode == 0 and out.startswith("NMS: Dantrolene")
    assert "synonyms:     temp -> hyperthermia, dantrolen -> dantrolene" in out  # "T 40" read as the temperature
    assert "drugs (dictionary): haldol = haloperidol -> antipsychotic" in out and "context:      rigid, npo" in out
    assert "dose words:   mg" in out and "numbers:      45, 40, 2" in out
    assert "names NMS:    yes (signs: fever, rigidity)" in out  # "T 40" is a fever
    assert "question type: dose, frequency or duration (mg) (asking clause 4)" in out
    assert "concepts:     antipsychotic, dantrolene, hyperthermia" in out
    assert "Verdict: answered with dantrolene" in out
    d = json.loads(run("ask", "--json", "--explain", "ECT for depression").stdout)
    assert d["status"] == "suggest" and d["explain"]["verdict"] == "suggest"
    assert "'depression' is listed under purposes in scope.yaml" in d["explain"]["reason"]
    assert d["explain"]["scores"][0]["topic"] == "ect"


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval/dev_questions.yaml is not beside the repository")
def test_eval_on_the_dev_set_passes_the_release_bar():
    assert run("eval", str(DEV), "--min-accuracy", "0.95", "--max-wrong", "1").returncode == 0


def test_version_names_program_and_knowledge():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("nms-bot ") and "knowledge 2026-11-25.1" in r.stdout


def test_offline_commands_do_not_import_slack():
    code = (
        "import sys, io, contextlib\nfrom nms_bot.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ask', 'dantrolene']); main(['topics']); main(['validate'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('slack', 'waitress', 'sqlalchemy'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


def test_serve_without_tokens_exits_2_naming_the_variable():
    env = {"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "", "SLACK_SIGNING_SECRET": ""}
    r = run("serve", env=env)
    assert r.returncode == 2 and "SLACK_BOT_TOKEN is not set" in r.stderr and "Traceback" not in r.stderr
    r = run("serve", "--http", env={**env, "SLACK_BOT_TOKEN": "xoxb-1-2-secretvalue"})
    assert r.returncode == 2 and "SLACK_SIGNING_SECRET is not set" in r.stderr
    assert "secretvalue" not in r.stderr
    r = run("serve", env={**env, "SLACK_BOT_TOKEN": "xoxp-user-token"})
    assert r.returncode == 2 and "should start with xoxb-" in r.stderr and "xoxp-user-token" not in r.stderr


def test_bad_database_settings_exit_2_with_one_line_and_no_password(tmp_path: Path):
    base = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_APP_TOKEN": "xapp-1-2", "NMS_DB": str(tmp_path / "x.db")}
    r = run("serve", env={**base, "NMS_RETENTION_DAYS": "ninety"})
    assert r.returncode == 2 and "NMS_RETENTION_DAYS must be a whole number" in r.stderr
    r = run("report", env={"DATABASE_URL": "postgres://u:hunter2@127.0.0.1:1/db"})
    assert r.returncode == 2 and "DATABASE_URL" in r.stderr and "hunter2" not in r.stderr
    assert "Traceback" not in r.stderr


def test_approved_only_treats_unapproved_topics_as_not_covered():
    env = {"NMS_APPROVED_ONLY": "1"}
    d = json.loads(run("ask", "--json", "dantrolene", env=env).stdout)
    assert d["status"] == "none" and d["topic"] is None
    assert [t for t in json.loads(run("topics", "--json", env=env).stdout) if t["served"]] == []


def test_token_slack_rejects_stops_serve_with_one_line(stub, tmp_path: Path):
    stub.queued["auth.test"] = [(200, {}, {"ok": False, "error": "invalid_auth"})] * 3
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-rejected",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "x.db"),
    }
    r = run("serve", "--http", "--port", "0", env=env, cwd=tmp_path)
    assert r.returncode == 2 and "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in r.stderr
    assert "xoxb-1-2-rejected" not in r.stderr and "Traceback" not in r.stderr
    assert len(stub.sent("auth.test")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a failed start leaves no database or lock file"
    # ...with NMS_DB unset too (the default nms-bot.db), and it keeps a database that was there
    r = run("serve", "--http", "--port", "0", env={**env, "NMS_DB": ""}, cwd=tmp_path)
    assert r.returncode == 2 and not list(tmp_path.iterdir())
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run("serve", "--http", "--port", "0", env=env, cwd=tmp_path)
    assert r.returncode == 2 and sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_http_start_checks_the_token_once(stub, tmp_path: Path):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-good",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "SLACK_API_URL": stub.url,
        "NMS_DB": "",
        "NMS_REMINDERS": "0",
    }
    proc = subprocess.Popen(
        [shutil.which("nms-bot") or "nms-bot", "serve", "--http", "--port", "0"],
        env={**os.environ, **env},
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = []
        for line in proc.stderr or []:
            started.append(line)
            if "listening on port" in line:
                break
        log = "".join(started)
        assert "database nms-bot.db (the default: NMS_DB is not set) upgraded" in log, log
        assert "named by NMS_DB" not in log
        assert [m for m, _ in stub.calls] == ["auth.test"]
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_unreadable_knowledge_directory_is_one_path_message_line():
    folder = Path(tempfile.mkdtemp(prefix="nms-kb-"))  # pytest's own folders are closed to other users
    try:
        shutil.copytree(KNOWLEDGE, folder / "knowledge", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        os.chmod(folder, 0o755)
        os.chmod(folder / "knowledge", 0o000)
        # validate reports it as a problem of the knowledge base (1); ask cannot start without one (2)
        for args, code in (
            (["validate", str(folder / "knowledge")], 1),
            (["ask", "--knowledge", str(folder / "knowledge"), "x"], 2),
        ):
            r = run_unprivileged(args)
            assert r.returncode == code and "Traceback" not in r.stderr, r.stderr
            assert (
                r.stderr.splitlines()[0] == f"{folder}/knowledge: cannot read the knowledge directory: "
                "Permission denied"
            )
        os.chmod(folder / "knowledge", 0o755)
        os.chmod(folder / "knowledge" / "topics", 0o000)
        r = run_unprivileged(["validate", str(folder / "knowledge")])
        assert r.returncode == 1
        assert r.stderr.splitlines()[0] == f"{folder}/knowledge/topics: cannot read the folder: Permission denied"
    finally:
        os.chmod(folder / "knowledge", 0o755)
        os.chmod(folder / "knowledge" / "topics", 0o755)
        shutil.rmtree(folder)


def test_validate_names_a_missing_directory_as_given():
    r = run("validate", "/nonexistent/knowledge", cwd=Path(__file__).parent)
    # a usage error (README: exit 2), not a knowledge base with problems
    assert r.returncode == 2 and r.stderr == "/nonexistent/knowledge: knowledge directory not found\n"
    r = run("ask", "--knowledge", "/nonexistent/knowledge", "dantrolene")
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "/nonexistent/knowledge: knowledge directory not found",
        "nms-bot: check the knowledge directory (--knowledge PATH or NMS_KNOWLEDGE)",
    ]


def test_ask_answers_an_empty_question_with_a_none_object():
    d = json.loads(run("ask", "--json", "").stdout)
    assert d["status"] == "none" and d["question"] == ""
    r = run("ask", "")
    assert r.returncode == 0 and "Disclaimer:" in r.stdout


def test_every_boolean_setting_follows_one_rule(tmp_path: Path):
    from nms_bot.config import env_flag
    from nms_bot.errors import ConfigurationError

    base = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_APP_TOKEN": "xapp-1-2",
        "NMS_DB": str(tmp_path / "x.db"),
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    for name in ("NMS_APPROVED_ONLY", "NMS_RECORD_GAPS"):
        r = run("serve", env={**base, name: "maybe"})
        assert r.returncode == 2 and f"{name} must be 1 or 0" in r.stderr and r.stderr.count("\n") == 1
    r = run("ask", "dantrolene", env={"NMS_APPROVED_ONLY": "on"})
    assert r.returncode == 2 and "NMS_APPROVED_ONLY must be 1 or 0" in r.stderr
    for value, meant in (
        ("1", True),
        ("true", True),
        ("YES", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("", False),
        (" 1 ", True),
    ):
        assert env_flag("X", {"X": value}) is meant
    for value in ("maybe", "on", "off", "2", "y"):
        with pytest.raises(ConfigurationError, match="X must be 1 or 0"):
            env_flag("X", {"X": value})


def test_out_of_range_numbers_are_usage_errors(tmp_path: Path):
    r = run("validate", "--max-age", "-5")
    assert r.returncode == 2 and "--max-age" in r.stderr
    r = run("report", "--since", "99999999d", env={"NMS_DB": str(tmp_path / "x.db")})
    assert r.returncode == 2 and "--since" in r.stderr and "Traceback" not in r.stderr
    r = run("report", "--since", "0h", env={"NMS_DB": str(tmp_path / "x.db")})
    assert r.returncode == 2 and "--since" in r.stderr


def test_report_without_a_database_says_so_and_creates_none(tmp_path: Path):
    r = run("report", cwd=tmp_path, env={"NMS_DB": "", "DATABASE_URL": ""})
    assert r.returncode == 2 and "no database at nms-bot.db yet" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_knowledge_option_help_names_the_search_order():
    out = " ".join(run("ask", "--help").stdout.split())
    assert "$NMS_KNOWLEDGE, else ./knowledge when it exists, else the copy installed" in out


@pytest.mark.parametrize("port", ["70000", "-5", "abc", "65536", "3000x"])
def test_bad_ports_are_refused_with_one_line(port: str, tmp_path: Path):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "NMS_DB": str(tmp_path / "x.db"),
    }
    r = run("serve", "--http", "--port", port, env=env)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--port must be a port number" in r.stderr
    r = run("serve", "--http", env={**env, "PORT": port})
    assert r.returncode == 2 and "PORT must be a port number" in r.stderr


def test_port_in_use_is_refused_with_one_line_and_port_0_logs_the_port_bound(stub, tmp_path: Path):
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp_path / "x.db"),
    }
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("serve", "--http", "--port", str(port), env=env)
    assert r.returncode == 2 and f"port {port} is already in use" in r.stderr
    assert "Traceback" not in r.stderr and "ERROR" not in r.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "nms_bot", "serve", "--http", "--port", "0"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        line = ""
        while "listening on port" not in line:
            line = proc.stderr.readline()
            assert line, "the server stopped without saying which port it listens on"
        bound = int(line.split("listening on port ")[1].split()[0])
        assert bound != 0
        with urllib.request.urlopen(f"http://127.0.0.1:{bound}/healthz", timeout=5) as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_unreachable_slack_is_one_line_and_an_outage_is_not_called_a_bad_token(stub, tmp_path: Path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_APP_TOKEN": "xapp-1-2", "NMS_DB": str(tmp_path / "x.db")}
    r = run("serve", env={**env, "SLACK_API_URL": "http://127.0.0.1:9/api/"})
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("nms-bot: cannot reach the Slack Web API")
    outage = (503, {}, {"ok": False, "error": "service_unavailable"})
    stub.queued["auth.test"] = [outage] * 3  # the first try and both retries
    r = run("serve", env={**env, "SLACK_API_URL": stub.url})
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "Slack outage, not a bad token" in r.stderr and "did not accept" not in r.stderr
    assert len(stub.sent("auth.test")) == 3, "a server error is retried"
