"""The answering queue: Web API work (posting answers) off the acknowledgement path.

Acks happen on the request path; everything that talks to Slack or the database afterwards is
queued here and run by a fixed number of worker threads, so a slow or rate-limiting Slack
delays answers, never acknowledgements. Depth and the oldest item's age are readable at any
time (for metrics) and logged once when a backlog builds up and once when it clears.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

log = logging.getLogger("nms_bot.answering")
DEFAULT_WORKERS = 16

Job = Callable[[], None]


def error_kind(error: BaseException) -> str:
    """What went wrong, by kind only: payloads may hold question text, messages may hold tokens."""
    if isinstance(error, SlackApiError):
        return f"Slack API error {error.response.get('error', 'unknown')}"
    return f"{type(error).__name__}"


@dataclass(frozen=True)
class Backlog:
    waiting: int  # queued, not started
    running: int
    oldest_seconds: float  # how long the oldest waiting item has waited (0 when none)


class AnswerQueue:
    """First in, first out, `workers` at a time. Thread-safe."""

    def __init__(self, workers: int = DEFAULT_WORKERS, name: str = "answer"):
        self.workers = workers
        self._items: deque[tuple[float, Job]] = deque()
        self._cond = threading.Condition()
        self._running = 0
        self._accepting = True
        self._stopped = False
        # burst bookkeeping, for one log line when a backlog builds and one when it clears
        self._burst_started: float | None = None
        self._burst_done = 0
        self._burst_peak = 0
        self._burst_max_wait = 0.0
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> bool:
        """Queue a job; False (and nothing queued) once the queue is draining for shutdown."""
        with self._cond:
            if not self._accepting:
                return False
            self._items.append((time.monotonic(), job))
            waiting = len(self._items)
            if self._burst_started is None and waiting > self.workers:
                self._burst_started = time.monotonic()
                self._burst_done = 0
                log.warning(
                    "answering backlog: %d waiting, %d running; answers are delayed, acknowledgements are not",
                    waiting,
                    self._running,
                )
            if self._burst_started is not None:
                self._burst_peak = max(self._burst_peak, waiting)
            self._cond.notify()
            return True

    @property
    def accepting(self) -> bool:
        """False once the queue is draining or closed."""
        return self._accepting

    def backlog(self) -> Backlog:
        with self._cond:
            oldest = time.monotonic() - self._items[0][0] if self._items else 0.0
            return Backlog(len(self._items), self._running, oldest)

    def drain(self, timeout: float) -> int:
        """Stop taking jobs, finish the queued and running ones within `timeout` seconds;
        return how many were left unfinished."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._accepting = False
            while self._items or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            unfinished = len(self._items) + self._running
            self._stopped = True
            self._items.clear()
            self._cond.notify_all()
            return unfinished

    def close(self) -> None:
        """Stop at once: queued jobs are dropped (tests, or after drain)."""
        with self._cond:
            self._accepting = False
            self._stopped = True
            self._items.clear()
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._items and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                queued_at, job = self._items.popleft()
                self._running += 1
                if self._burst_started is not None:
                    self._burst_max_wait = max(self._burst_max_wait, time.monotonic() - queued_at)
            try:
                job()
            except Exception as exc:
                log.error("answering failed: %s", error_kind(exc))
            finally:
                with self._cond:
                    self._running -= 1
                    self._end_of_burst()
                    self._cond.notify_all()

    def _end_of_burst(self) -> None:
        if self._burst_started is None:
            return
        self._burst_done += 1
        if self._items or self._running:
            return
        log.warning(
            "answering backlog cleared: %d jobs in %.1f s, peak %d waiting, longest wait %.1f s",
            self._burst_done,
            time.monotonic() - self._burst_started,
            self._burst_peak,
            self._burst_max_wait,
        )
        self._burst_started, self._burst_peak, self._burst_max_wait = None, 0, 0.0
