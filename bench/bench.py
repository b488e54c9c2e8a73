"""Speed and memory figures for README: matcher, cold CLI start, Slack ack latency.

    python bench/bench.py            # everything (about a minute on 2 cores)
    python bench/bench.py core       # matcher and CLI only
    python bench/bench.py slack      # ack latency only
    python bench/bench.py slow       # /nms ack latency while a slow Slack answers a burst
    python bench/bench.py durable    # acks per second and ack latency on SQLite and on PostgreSQL
    taskset -c 0 python bench/bench.py durable --pinned   # the same, the bot on a core of its own

Compares the matcher with a plain thefuzz `process.extractOne` over the same phrases
(pip install '.[bench]'). Prints a Markdown table; nothing here is a pass/fail test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nms_bot.core.engine import Engine  # noqa: E402
from nms_bot.core.loader import default_knowledge_path  # noqa: E402
from nms_bot.core.model import Bullet, Topic  # noqa: E402

QUESTIONS = [
    "should we give dantrolene?",
    "rhabdo?",
    "bromo dose",
    "ECT when",
    "hyperthermai",
    "NMS management",
    "stop the antipsychotic?",
    "ICU or ward?",
    "benzodiazepnes for agitation",
    "DVT prophylaxis",
    "restarting antipsychotics",
    "what to monitor",
    "treatment outcomes",
    "good morning",
    "treatment of anaphylaxis",
    "cooling for cardiac arrest",
    "where is the parking garage",
    "qwerty",
]
rows: list[tuple[str, str]] = []
# `--pinned`: the bot on the last core, the benchmark (senders, Slack stand-in) and PostgreSQL on
# the others, as in a deployment where the bot has its host to itself (Linux, taskset).
PINNED = "--pinned" in sys.argv and (os.cpu_count() or 1) > 1 and shutil.which("taskset") is not None
PIN = ["taskset", "-c", str((os.cpu_count() or 1) - 1)] if PINNED else []


def per_call_ms(fn, items, rounds: int) -> tuple[float, float]:
    """Median and p99 milliseconds per call."""
    samples = []
    for _ in range(rounds):
        for q in items:
            t = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def synthetic(engine: Engine, n: int) -> Engine:
    """A knowledge base of n topics made by recombining the real topics' words."""
    rng = random.Random(7)
    real = list(engine.knowledge.topics.values())
    vocab = sorted({w for t in real for q in t.questions for w in q.split()} | {f"term{i}" for i in range(3000)})
    ref = next(iter(engine.knowledge.references))
    topics = {}
    for i in range(n):
        base = real[i % len(real)]
        words = lambda k: " ".join(rng.choice(vocab) for _ in range(k))  # noqa: E731
        topics[f"t{i}"] = Topic(
            id=f"t{i}",
            title=f"{base.title} {words(2)}",
            questions=tuple(words(6) for _ in range(8)),
            keywords=tuple(words(1) for _ in range(4)),
            body=(Bullet(words(25), "guideline", (ref,)), Bullet(words(25), "research", (ref,))),
            related=(),
            updated=dt.date(2026, 1, 1),
            review="under-review",
        )
    import dataclasses

    return Engine.from_knowledge(dataclasses.replace(engine.knowledge, topics=topics))


def thefuzz_baseline(engine: Engine, label: str) -> None:
    try:
        from thefuzz import process
    except ImportError:
        rows.append((f"thefuzz extractOne, {label}", "not installed (pip install '.[bench]')"))
        return
    phrases = [p for t in engine.knowledge.topics.values() for p in (t.title, *t.questions)]
    med, p99 = per_call_ms(lambda q: process.extractOne(q, phrases), QUESTIONS, 1 if len(phrases) > 1000 else 20)
    rows.append(
        (
            f"thefuzz `process.extractOne`, {label} ({len(phrases)} phrases)",
            f"median {med:.2f} ms, p99 {p99:.2f} ms per question",
        )
    )


def core() -> None:
    t = time.perf_counter()
    engine = Engine.load(default_knowledge_path(), approved_only=False)
    rows.append(("load + validate + index, real knowledge base", f"{(time.perf_counter() - t) * 1000:.0f} ms"))
    med, p99 = per_call_ms(engine.ask, QUESTIONS, 200)
    rows.append(
        (
            f"nms-bot matcher + render, real knowledge base ({len(engine.knowledge.topics)} topics)",
            f"median {med:.3f} ms, p99 {p99:.3f} ms per question",
        )
    )
    thefuzz_baseline(engine, "real knowledge base")

    tracemalloc.start()
    t = time.perf_counter()
    big = synthetic(engine, 2000)
    build = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    med, p99 = per_call_ms(big.ask, QUESTIONS, 20)
    rows.append(
        (
            "nms-bot matcher + render, generated knowledge base (2,000 topics)",
            f"median {med:.3f} ms, p99 {p99:.3f} ms per question; index built in {build:.2f} s, "
            f"peak {peak / 2**20:.0f} MiB",
        )
    )
    thefuzz_baseline(big, "2,000 topics")

    exe = shutil.which("nms-bot")
    cmd = [exe] if exe else [sys.executable, "-m", "nms_bot"]
    cache = tempfile.mkdtemp()  # the engine cache (nms_bot/cli/cache.py), never the real home's
    for label, env in (
        ('cold `nms-bot ask "..."` process', {"NMS_CACHE_DIR": cache}),
        (
            'cold `nms-bot ask "..."` process, no engine cache (NMS_CACHE=0: a new day or edited knowledge)',
            {"NMS_CACHE": "0"},
        ),
    ):
        ask = [*cmd, "ask", "should we give dantrolene?"]
        subprocess.run(ask, capture_output=True, check=True, env={**os.environ, **env})  # fills the cache
        times = []
        for _ in range(10):
            t = time.perf_counter()
            subprocess.run(ask, capture_output=True, check=True, env={**os.environ, **env})
            times.append(time.perf_counter() - t)
        rows.append(
            (
                label,
                f"median {statistics.median(times) * 1000:.0f} ms "
                f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) over 10 runs",
            )
        )
    shutil.rmtree(cache, ignore_errors=True)


def _serve_http(stub, tmp: Path, **extra: str):
    """A real `nms-bot serve --http` process on a free port, talking to `stub`; (process, Bot)."""
    import socket

    from tests.conftest import SECRET, TOKEN, Bot

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": stub.url,
        "NMS_DB": str(tmp / "bench.db"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    with open(tmp / "serve.log", "w") as log:  # the process keeps its own copy of the file
        server = subprocess.Popen(
            [*PIN, sys.executable, "-m", "nms_bot", "serve", "--http", "--port", str(port)], env=env, stderr=log
        )
    bot = Bot(f"http://127.0.0.1:{port}", stub, None, None)
    stub.wait_for(lambda: _up(bot), timeout=30)
    return server, bot


def slack(requests: int = 1000, senders: int = 20, where: str = "", **env: str) -> None:
    """Ack latency and acks per second of a real `nms-bot serve --http` process, signed events
    over loopback, until every event is answered; `where`: the database, for the row's label."""
    from tests.slack_stub import SlackStub

    stub = SlackStub()
    tmp = Path(tempfile.mkdtemp())
    server, bot = _serve_http(stub, tmp, **env)
    try:

        def one(i: int) -> float:
            t = time.perf_counter()
            status, _ = bot.mention(QUESTIONS[i % len(QUESTIONS)], ts=f"1700000000.{i:06d}", event_id=f"EvB{i}")
            assert status == 200
            return (time.perf_counter() - t) * 1000

        for i in range(20):  # warm-up
            one(100000 + i)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=senders) as pool:
            lat = sorted(pool.map(one, range(requests)))
        acked = time.perf_counter() - started
        stub.wait_for(lambda: len(stub.sent("chat.postMessage")) >= requests + 20, timeout=120)
        label = f"Slack ack latency, `nms-bot serve --http`, {senders} concurrent senders, {requests} signed events"
        # A durable queue whose database did not keep up answers from memory (and says so once):
        # faster acknowledgements, but not the guarantee being measured.
        memory = "answering from memory" in (tmp / "serve.log").read_text()
        rows.append(
            (
                label + (f", {where}" if where else "") + (", the bot on a core of its own" if PINNED else ""),
                f"p50 {statistics.median(lat):.1f} ms, p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms, "
                f"{requests / acked:.0f} acknowledged per second"
                + (", some answered from memory (the database did not keep up)" if memory else ""),
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        stub.close()
        shutil.rmtree(tmp, ignore_errors=True)


def durable(requests: int = 1000, senders: int = 20) -> None:
    """`slack` with the durable answering queue on SQLite, and on PostgreSQL where a server is installed."""
    from tests import postgres

    slack(requests, senders, "SQLite")
    if postgres.available():
        rows.append(("PostgreSQL", f"not measured: {postgres.available()}"))
        return
    with postgres.cluster() as url:
        slack(requests, senders, "PostgreSQL", DATABASE_URL=url)


def slow_slack(mentions: int = 200, post_seconds: float = 0.3, senders: int = 20) -> None:
    """A burst of mentions while every chat.postMessage takes `post_seconds`, with `/nms` sent
    during it: how long /nms waits for its ack, and whether every question is answered once."""
    import threading

    from tests.slack_stub import SlackStub

    stub = SlackStub()
    stub.delay["chat.postMessage"] = post_seconds
    tmp = Path(tempfile.mkdtemp())
    server, bot = _serve_http(stub, tmp)
    try:
        acks: list[float] = []
        statuses: list[int] = []

        def commands_during_burst() -> None:  # from the first mention until the last answer
            while len(stub.delivered_to("chat.postMessage")) < mentions:
                t = time.perf_counter()
                status, _ = bot.command(QUESTIONS[len(acks) % len(QUESTIONS)])
                acks.append((time.perf_counter() - t) * 1000)
                statuses.append(status)
                time.sleep(0.05)

        started = time.perf_counter()
        side = threading.Thread(target=commands_during_burst)
        side.start()
        with ThreadPoolExecutor(max_workers=senders) as pool:
            mention_status = list(
                pool.map(
                    lambda i: bot.mention(
                        QUESTIONS[i % len(QUESTIONS)], ts=f"1700000000.{i:06d}", event_id=f"EvSlow{i}"
                    )[0],
                    range(mentions),
                )
            )
        stub.wait_for(lambda: len(stub.delivered_to("chat.postMessage")) >= mentions, timeout=300)
        answered = time.perf_counter() - started
        side.join()
        time.sleep(1)
        threads = [p["thread_ts"] for p in stub.delivered_to("chat.postMessage")]
        once = len(threads) == mentions and len(set(threads)) == mentions
        acks.sort()
        ok = statuses.count(200)
        rows.append(
            (
                f"slow Slack: {mentions} mentions while each post takes {post_seconds} s, {len(acks)} `/nms` "
                "sent during the burst",
                f"`/nms` ack p50 {statistics.median(acks):.0f} ms, p99 {acks[int(len(acks) * 0.99) - 1]:.0f} ms, "
                f"{ok}/{len(acks)} acknowledged 200; mentions {mention_status.count(200)}/{mentions} acked; "
                f"every question answered {'exactly once' if once else 'NOT exactly once'} "
                f"({len(threads)} posts) in {answered:.1f} s",
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
        stub.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _up(bot) -> bool:
    try:
        return bot.get("/healthz")[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    which = sys.argv[1:] or ["core", "slack", "slow"]
    if "core" in which:
        core()
    if "slack" in which:
        slack()
    if "slow" in which:
        slow_slack()
    if "durable" in which:
        durable()
    print(f"Measured {dt.date.today()} on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    print("| what | figure |\n|---|---|")
    for what, figure in rows:
        print(f"| {what} | {figure} |")
    if "--json" in sys.argv:
        print(json.dumps(rows))
