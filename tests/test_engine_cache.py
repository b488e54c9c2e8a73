"""`nms-bot ask`'s engine cache (nms_bot/cli/cache.py): never stale, never in the way, never
holding a question, never loaded from a file others could have written."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from nms_bot.cli import cache

from .test_cli import run

SENTENCE = "has been used in some cases."


def ask(kb: Path, where: Path, question: str = "should we give dantrolene?", **env: str):
    return run("ask", "--knowledge", str(kb), question, env={"NMS_CACHE_DIR": str(where), "COLUMNS": "", **env})


def cached_files(where: Path) -> list[Path]:
    return sorted(where.glob("engine-*.pickle"))


def test_the_engine_is_kept_private_and_holds_no_question(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    r = ask(kb, where, "dantrolene for John Smith in bed 12?")
    assert r.returncode == 0 and "Dantrolene" in r.stdout, r.stderr
    [file] = cached_files(where)
    assert file.stat().st_mode & 0o777 == 0o600 and where.stat().st_mode & 0o777 == 0o700
    assert b"John Smith" not in file.read_bytes() and b"bed 12" not in file.read_bytes()
    assert [p.name for p in where.iterdir()] == [file.name]  # no temporary file left behind
    again = ask(kb, where, "dantrolene for John Smith in bed 12?")
    assert again.stdout == r.stdout and again.stderr == ""


def test_a_cached_ask_loads_no_validation(kb: Path, tmp_path: Path):
    code = (
        "import sys, io, contextlib\nfrom nms_bot.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['ask', '--knowledge', {str(kb)!r}, 'dantrolene'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('yaml', 'nms_bot.core.loader', 'rapidfuzz'))))"
    )
    env = {**os.environ, "NMS_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert "nms_bot.core.loader" in first.stdout, first.stderr  # nothing cached yet: loaded and validated
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert second.stdout.strip() == "[]", second.stdout + second.stderr


def test_an_edited_topic_is_answered_with_its_new_text(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    assert SENTENCE in ask(kb, where).stdout
    topic = kb / "topics" / "dantrolene.yaml"
    topic.write_text(topic.read_text().replace(SENTENCE, "has been used in a number of cases."))
    r = ask(kb, where)
    assert r.returncode == 0 and "has been used in a number of cases." in r.stdout and SENTENCE not in r.stdout
    assert len(cached_files(where)) == 1  # replaced, not piled up


def test_broken_yaml_after_caching_is_reported_with_file_and_line_as_without_a_cache(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    assert ask(kb, where).returncode == 0
    topic = kb / "topics" / "dantrolene.yaml"
    topic.write_text(topic.read_text().replace("keywords: [dantrolene]", "keywords: [dantrolene"))
    r = ask(kb, where)
    uncached = ask(kb, where, NMS_CACHE="0")
    assert r.returncode == uncached.returncode == 1 and r.stdout == ""
    assert r.stderr == uncached.stderr and "dantrolene.yaml:" in r.stderr, r.stderr
    line = r.stderr.split("dantrolene.yaml:")[1].split(":")[0]
    assert line.isdigit() and int(line) > 1  # the line the broken list is on, or the parser's


def test_the_approved_only_setting_is_never_served_from_the_other_setting_s_engine(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    assert "NMS: Dantrolene" in ask(kb, where, NMS_APPROVED_ONLY="0").stdout
    r = ask(kb, where, NMS_APPROVED_ONLY="1")
    assert r.returncode == 0 and "none is approved yet" in r.stdout and "NMS: Dantrolene" not in r.stdout, r.stdout
    assert len(cached_files(where)) == 2


def test_cache_off_writes_nothing_and_a_cache_that_cannot_be_written_is_no_error(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    r = ask(kb, where, NMS_CACHE="0")
    assert r.returncode == 0 and "Dantrolene" in r.stdout and not where.exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    r = ask(kb, blocked / "cache")  # a folder that cannot be made
    assert r.returncode == 0 and "Dantrolene" in r.stdout and r.stderr == ""
    r = ask(kb, where, NMS_CACHE="maybe")
    assert r.returncode == 2 and "NMS_CACHE must be 1 or 0" in r.stderr


def test_a_damaged_cache_file_is_rebuilt(kb: Path, tmp_path: Path):
    where = tmp_path / "cache"
    expected = ask(kb, where).stdout
    [file] = cached_files(where)
    key = file.read_bytes().split(b"\n", 1)[0] + b"\n"
    file.write_bytes(key + b"not a pickle")
    r = ask(kb, where)
    assert r.returncode == 0 and r.stdout == expected and r.stderr == ""
    assert pickle.loads(file.read_bytes()[len(key) :]).knowledge.version  # written again, whole


class Planted:
    """What someone else might leave in a cache folder: unpickling it runs code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("mode", [0o666, 0o620])
def test_a_cache_file_others_may_write_to_is_never_loaded(kb: Path, tmp_path: Path, monkeypatch, mode: int):
    where = tmp_path / "cache"
    monkeypatch.setenv("NMS_CACHE_DIR", str(where))
    monkeypatch.delenv("NMS_APPROVED_ONLY", raising=False)
    file, key = cache._entry(kb, False)
    where.mkdir(mode=0o700)
    marker = tmp_path / "ran"
    file.write_bytes(key + pickle.dumps(Planted(marker)))
    file.chmod(mode)
    engine = cache.cached_engine(kb)
    assert not marker.exists() and engine.topic("dantrolene") is not None
    assert file.stat().st_mode & 0o777 == 0o600  # replaced by one of this user's own


def test_the_key_changes_with_the_day_since_validation_depends_on_it(kb: Path, monkeypatch):
    import datetime as dt

    today = cache._entry(kb, False)

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date.today() + dt.timedelta(days=1)

    monkeypatch.setattr(cache, "dt", SimpleNamespace(date=Tomorrow))
    tomorrow = cache._entry(kb, False)
    assert tomorrow[0] == today[0] and tomorrow[1] != today[1]  # the same file, rebuilt the next day
