"""What editors and newcomers meet at the command line: approved-only mode, wrapped output, the
question file and knowledge checks, the editorial policy, `ask --blocks`, help texts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from nms_bot.core.loader import validate_knowledge
from nms_bot.slack.blocks.home import home_view

from .blockkit import check_message, check_view
from .conftest import Bot
from .test_cli import run
from .test_signoff import approve


def test_approved_only_says_a_clear_question_s_topic_awaits_approval(kb: Path):
    approve(kb, "cooling", "ect")
    env = {"NMS_APPROVED_ONLY": "1", "NMS_KNOWLEDGE": str(kb), "COLUMNS": ""}
    r = run("ask", "should we give dantrolene?", env=env)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("The topic \u201cDantrolene\u201d is awaiting clinical approval"), r.stdout
    assert "I'm not sure" not in r.stdout
    assert lines[1:3] == ["  cooling: Cooling for hyperthermia", "  ect: Electroconvulsive therapy (ECT)"]
    d = json.loads(run("ask", "--json", "should we give dantrolene?", env=env).stdout)
    assert (d["status"], d["reason"], d["topic"]) == ("none", "awaiting_approval", None)
    # an approved topic is answered as before; a question about nothing is declined as before
    assert json.loads(run("ask", "--json", "cooling blankets", env=env).stdout)["topic"]["id"] == "cooling"
    assert "awaiting" not in run("ask", "the weather forecast for tomorrow", env=env).stdout


def test_topics_says_which_are_hidden_in_approved_only_mode(kb: Path):
    approve(kb, "cooling")
    env = {"NMS_APPROVED_ONLY": "1", "NMS_KNOWLEDGE": str(kb), "COLUMNS": ""}
    out = run("topics", env=env).stdout
    served, hidden = out.split("\nHidden: ")
    assert served.split() == ["cooling", "Cooling", "for", "hyperthermia"]
    assert hidden.startswith("13 topic(s) awaiting clinical approval, not served while NMS_APPROVED_ONLY=1")
    assert "dantrolene" in hidden and "Dantrolene (under-review)" in hidden
    rows = json.loads(run("topics", "--json", env=env).stdout)
    assert [t["id"] for t in rows if t["served"]] == ["cooling"] and len(rows) == 14
    assert "Hidden" not in run("topics", env={"NMS_KNOWLEDGE": str(kb)}).stdout


def test_terminal_output_wraps_to_columns_keeping_urls_whole():
    r = run("ask", "should we give dantrolene?", env={"COLUMNS": "50"})
    url = "https://doi.org/10.1186/cc5148"
    assert url in r.stdout.split()
    assert all(len(line) <= 50 for line in r.stdout.splitlines() if url not in line), r.stdout
    words = " ".join(r.stdout.split())
    assert "Dantrolene sodium has been reported as a potential treatment for NMS" in words, "no word broken"
    # a statement's continuation lines are indented under its text, not under the bullet
    assert "\n  " in r.stdout.split("From the research:")[1]
    piped = run("ask", "should we give dantrolene?", env={"COLUMNS": ""}).stdout
    assert max(len(line) for line in piped.splitlines()) > 100, "a pipe gets whole lines"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_checks_the_question_file_first_with_file_and_line(tmp_path: Path):
    f = write(
        tmp_path / "q.yaml",
        "- {q: 'dantrolene?', expect: [dantrolene]}\n"
        "- {q: 'cooling?', expect: []}\n"
        "- q: 'bromo?'\n"
        "  expect: [bromocriptin]\n"
        "- {q: 'ect?'}\n",
    )
    r = run("eval", str(f))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"{f}:2: expect must name topic ids (e.g. [dantrolene]), or be none for a question the bot must not "
        "answer; found []",
        f"{f}:4: expect names no topic 'bromocriptin' (did you mean 'bromocriptine'?)",
        f"{f}:5: expect must name topic ids (e.g. [dantrolene]), or be none for a question the bot must not "
        "answer; found None",
    ]


def test_eval_without_out_of_scope_questions_reports_no_out_of_scope_figure(tmp_path: Path):
    f = write(tmp_path / "q.yaml", "- {q: 'should we give dantrolene?', expect: [dantrolene], kind: plain}\n")
    r = run("eval", str(f))
    assert r.returncode == 0
    assert "of 0" not in r.stdout and "no out-of-scope questions" in r.stdout
    assert "in-scope accuracy: 100.0% of 1" in r.stdout
    assert json.loads(run("eval", "--json", str(f)).stdout)["rejection"] is None


def test_validate_a_missing_path_exits_2_and_a_file_is_named_as_such(tmp_path: Path):
    r = run("validate", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "knowledge directory not found" in r.stderr
    meta = write(tmp_path / "meta.yaml", "version: x\n")
    r = run("validate", str(meta))
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        f"{meta}: is a file, not a knowledge directory: give the folder that holds meta.yaml and topics/"
    )


def test_the_policy_is_shown_with_meta_yaml_s_interval(kb: Path):
    r = run("policy", "--knowledge", str(kb), env={"COLUMNS": ""})
    assert r.returncode == 0 and r.stdout.startswith("Editorial policy\n")
    assert "An approval lasts 180 days" in r.stdout and "{" not in r.stdout
    for heading in ("Who reviews:", "How an approval is bound to the text:", "How often topics are reviewed:"):
        assert f"\n{heading}\n" in r.stdout
    meta = kb / "meta.yaml"
    meta.write_text(meta.read_text().replace("review_interval_days: 180", "review_interval_days: 90"))
    assert "An approval lasts 90 days" in run("policy", "--knowledge", str(kb)).stdout


def test_the_policy_is_validated_with_file_and_line(kb: Path):
    policy = kb / "policy.yaml"
    lines = policy.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "{review_interval_days}" in line and not line.startswith("#"))
    lines[at] = lines[at].replace("{review_interval_days}", "{interval}")
    lines.append("  - heading: Extra")
    policy.write_text("\n".join(lines) + "\n")
    _, problems = validate_knowledge(kb)
    msgs = [str(p) for p in problems]
    text_line = next(i for i in range(at, -1, -1) if lines[i].strip().startswith("text:")) + 1
    assert f"{policy}:{text_line}: unknown placeholder {{interval}}" in "\n".join(msgs), msgs
    assert f"{policy}:{len(lines)}: missing field 'text'" in msgs
    assert run("validate", str(kb)).returncode == 1


def test_app_home_and_nms_policy_show_the_policy(bot: Bot):
    bot.event({"type": "app_home_opened", "user": "U111", "channel": "D1", "tab": "home", "event_ts": "1.2"})
    [call] = bot.stub.wait_for(lambda: bot.stub.sent("views.publish"))
    view = call["view"] if isinstance(call["view"], dict) else json.loads(call["view"])
    check_view(view)
    home = json.dumps(view)
    assert "*Editorial policy*" in home and "An approval lasts 180 days" in home
    assert home.index("*Disclaimer*") < home.index("*Editorial policy*"), "added after what was there"
    status, body = bot.command("policy")
    reply = json.loads(body)
    assert status == 200 and reply["response_type"] == "ephemeral"
    check_message(reply)
    assert "How an approval is bound to the text" in json.dumps(reply["blocks"])


def test_a_knowledge_base_without_a_policy_still_works(kb: Path):
    (kb / "policy.yaml").unlink()
    knowledge, problems = validate_knowledge(kb)
    assert knowledge is not None and knowledge.policy is None and not problems
    check_view(home_view(knowledge))
    assert "No editorial policy" in run("policy", "--knowledge", str(kb)).stdout


def test_ask_blocks_prints_the_message_for_block_kit_builder():
    r = run("ask", "--blocks", "should we give dantrolene?")
    assert r.returncode == 0
    message = json.loads(r.stdout)
    assert list(message) == ["blocks"]
    check_message({"text": "x", "blocks": message["blocks"]})
    assert message["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "NMS: Dantrolene"}}
    assert any(b["type"] == "actions" for b in message["blocks"]), "with its buttons"
    out = run("ask", "--blocks", stdin="cooling\nserotonin syndrome\n").stdout.splitlines()
    assert [json.loads(line)["blocks"][0]["type"] for line in out] == ["header", "section"]


def test_help_texts_describe_what_they_offer():
    report = run("report", "--help").stdout
    assert '"topics"' in " ".join(report.split()) and "--json" in report
    review = run("review", "--help").stdout
    usage = review.split("\n\n")[0]
    assert "nms-bot review [-h] [--knowledge PATH] [--json]" in usage and "\n       nms-bot review approve" in usage
    assert "without it: list the states" in " ".join(review.split())
    assert run("review").returncode == 0, "approve is optional"


def test_one_day_overdue_is_said_in_the_singular(kb: Path):
    approve(kb, "ect", on=dt.date(2026, 1, 1))
    due = dt.date(2026, 1, 1) + dt.timedelta(days=180)
    out = run("review", "--knowledge", str(kb), "--as-of", (due + dt.timedelta(days=1)).isoformat()).stdout
    assert "(1 day overdue)" in out and "1 days" not in out
    out = run("review", "--knowledge", str(kb), "--as-of", (due + dt.timedelta(days=2)).isoformat()).stdout
    assert "(2 days overdue)" in out


def test_review_and_the_packet_order_topics_by_title(kb: Path, tmp_path: Path):
    out = run("review", "--knowledge", str(kb), env={"COLUMNS": ""}).stdout
    listed = out.split("Never approved")[1].splitlines()[1:]
    never = [line.split()[0] for line in listed if line[:2] == "  " != line[2:4]]
    titles = json.loads(run("topics", "--json", "--knowledge", str(kb)).stdout)
    assert never == [t["id"] for t in titles], "review lists them as topics does, by title"
    assert run("export", "--html", str(tmp_path / "p"), "--knowledge", str(kb)).returncode == 0
    page = (tmp_path / "p" / "index.html").read_text()
    shown = [page.index(f'id="topic-{t["id"]}"') for t in titles]
    assert shown == sorted(shown)


def test_the_procfile_s_web_process_starts_when_port_is_unset(tmp_path: Path):
    from .conftest import ROOT
    from .slack_stub import SlackStub

    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    args = web.removeprefix("web:").split()
    assert args[:2] == ["nms-bot", "serve"] and not any("$" in a for a in args), "nothing for the shell to fill in"
    stub = SlackStub()
    try:
        stub.queued["auth.test"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]
        env = {"PORT": "", "SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "0123456789abcdef0123"}
        r = run(*args[1:], env={**env, "SLACK_API_URL": stub.url, "NMS_DB": str(tmp_path / "x.db")})
    finally:
        stub.close()
    # it got as far as checking the token: the command line and the port were fine
    assert r.returncode == 2 and "Slack did not accept SLACK_BOT_TOKEN" in r.stderr, r.stderr


def test_slack_says_which_topic_awaits_approval_too(kb: Path):
    from nms_bot.core.engine import Engine
    from nms_bot.slack.blocks.answers import answer_message

    approve(kb, "cooling")
    strict = Engine.load(kb, approved_only=True)
    message = answer_message(strict.ask("should we give dantrolene?"), "mention")
    check_message(message)
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "The topic \u201cDantrolene\u201d is awaiting clinical approval" in shown
    assert "Cooling for hyperthermia" in shown and "Dantrolene" not in shown.split("awaiting")[1]
