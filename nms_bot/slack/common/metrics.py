"""Prometheus metrics of one process, served at /metrics (HTTP server, Socket Mode health port).

Each process counts what it did itself; a scraper scrapes every process (see README,
"Metrics"). Labels hold only values from fixed sets (surfaces, verdicts, Slack method names and
error codes, checked against a pattern): never question text, user or channel ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    make_wsgi_app,
)

from ...core.compose import Answer
from ...storage.schema import VERDICTS as FEEDBACK
from .surfaces import SURFACES

VERDICTS = ("answer", "suggest", "decline", "out_of_scope")
RETRY_REASONS = ("rate_limited", "server_error", "connection_error")
# Matching a question takes well under a millisecond on the real knowledge base and a few on a
# large one: buckets from 0.05 ms to 0.25 s.
MATCH_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)
METHOD = re.compile(r"[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z][a-zA-Z0-9]*){0,4}")
ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,59}")


def verdict(answer: Answer) -> str:
    """answer | suggest | decline | out_of_scope, for the questions counter."""
    if answer.status in ("answer", "suggest"):
        return answer.status
    return "out_of_scope" if answer.reason == "out_of_scope" else "decline"


def api_method(url: str) -> str:
    """The Web API method a request URL calls ("chat.postMessage"); response URLs are one label."""
    if "/api/" not in url:
        return "response_url"
    name = url.split("/api/", 1)[1].split("?", 1)[0]
    return name if METHOD.fullmatch(name) else "other"


def outcome(status: int | None, body: Any) -> str:
    """ok, Slack's error code, rate_limited, server_error, http_error or connection_error."""
    if status is None:
        return "connection_error"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status != 200:
        return "http_error"
    if isinstance(body, dict) and body.get("ok") is False:
        error = str(body.get("error") or "")
        return error if ERROR_CODE.fullmatch(error) else "error"
    return "ok"


class Metrics:
    """The process's metrics, on a registry of their own (so test instances do not share counts)."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        self.questions = Counter(
            "nms_questions", "Questions matched, by surface and verdict", ["surface", "verdict"], registry=r
        )
        self.matching = Histogram(
            "nms_matching_seconds", "Time to match a question and compose the answer", buckets=MATCH_BUCKETS, registry=r
        )
        self.api_calls = Counter(
            "nms_slack_api_calls",
            "Slack Web API calls and response_url posts, by method "
            "and final outcome (ok, Slack's error code, rate_limited, server_error, "
            "http_error, connection_error)",
            ["method", "outcome"],
            registry=r,
        )
        self.api_retries = Counter(
            "nms_slack_api_retries", "Attempts retried, by method and reason", ["method", "reason"], registry=r
        )
        self.reloads = Counter(
            "nms_knowledge_reloads", "Knowledge reloads, by outcome (ok, refused)", ["outcome"], registry=r
        )
        self.feedback = Counter(
            "nms_feedback_presses",
            "Helpful / Not helpful presses, by verdict and surface",
            ["verdict", "surface"],
            registry=r,
        )
        self.knowledge = Info("nms_knowledge", "The knowledge base in service", registry=r)
        self.queue_waiting = Gauge("nms_answering_queue_waiting", "Answering jobs waiting", registry=r)
        self.queue_running = Gauge("nms_answering_queue_running", "Answering jobs running", registry=r)
        self.queue_oldest = Gauge(
            "nms_answering_queue_oldest_seconds", "How long the oldest waiting job has waited", registry=r
        )
        # Every series exists from the start, so a rate() over a fresh process is 0, not absent.
        for surface in SURFACES:
            for v in VERDICTS:
                self.questions.labels(surface, v)
            for v in FEEDBACK:
                self.feedback.labels(v, surface)
        for result in ("ok", "refused"):
            self.reloads.labels(result)

    def question(self, surface: str, answer: Answer) -> None:
        if surface in SURFACES:
            self.questions.labels(surface, verdict(answer)).inc()

    def pressed(self, verdict_: str, surface: str) -> None:
        if verdict_ in FEEDBACK and surface in SURFACES:
            self.feedback.labels(verdict_, surface).inc()

    def knowledge_version(self, version: str) -> None:
        self.knowledge.info({"version": version[:100]})

    def reloaded(self, ok: bool, version: str) -> None:
        """LiveEngine's callback: a reload went into service (ok) or was refused."""
        self.reloads.labels("ok" if ok else "refused").inc()
        if ok:
            self.knowledge_version(version)

    def api_call(self, url: str, status: int | None, body: Any) -> None:
        self.api_calls.labels(api_method(url), outcome(status, body)).inc()

    def api_retry(self, url: str, reason: str) -> None:
        self.api_retries.labels(api_method(url), reason if reason in RETRY_REASONS else "other").inc()

    def watch_queue(self, backlog: Callable[[], Any]) -> None:
        """Read the answering queue's depth and age at each scrape (`AnswerQueue.backlog`)."""
        self.queue_waiting.set_function(lambda: backlog().waiting)
        self.queue_running.set_function(lambda: backlog().running)
        self.queue_oldest.set_function(lambda: backlog().oldest_seconds)

    def wsgi(self) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
        """A WSGI app answering with the metrics in Prometheus's text format (any path)."""
        return make_wsgi_app(self.registry)
