"""Database calls on the answering path, bounded in time and logged once when they fail.

Server-side timeouts (SQLite's busy timeout, PostgreSQL's statement and lock timeouts) cannot
help when the server itself is frozen or the network holds a packet: then only the caller can
stop waiting. Calls run on a few threads of their own and the caller waits at most `timeout`
seconds; after a time-out the database is skipped for a few seconds so that a stalled server
costs answers nothing; and within one answer (`scope`), the first failure makes the answer's
further calls fail at once, so that a locked database costs it one deadline, not one per call.
An abandoned call finishes (or fails) on its own thread when the
database comes back.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("nms_bot.store")
SKIP_SECONDS = 5.0  # after a time-out, answer without the database this long before trying again
THREADS = 4
URGENT_THREADS = 8  # PostgreSQL: threads of the acknowledgement's own (within the pool's 15 connections)
URGENT, NORMAL, STOP = 0, 1, 2  # the order calls wait in: the acknowledgement's first

T = TypeVar("T")


def error_kind(exc: BaseException) -> str:
    """The error's class and the driver's error code (SQLITE_BUSY, a SQLSTATE), never its text:
    messages can carry SQL parameters."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
    return f"{type(exc).__name__} ({code})" if code else type(exc).__name__


class StoreUnavailable(Exception):
    """The database failed or did not answer in time; the caller carries on without it."""


class Guard:
    """Runs database calls with a deadline and logs one line when they start failing, one when
    they work again. `sqlite_file`: also notice the database file being deleted or replaced."""

    def __init__(self, timeout: float, what: str, sqlite_file: str | None = None):
        self.timeout = timeout
        self.what = what  # how log lines name the database (engines.database_label)
        # Daemon threads of our own, not a ThreadPoolExecutor: the interpreter waits for those
        # at exit, and a call stuck in a frozen database must not stop the process exiting.
        # SQLite runs one writer at a time, and writers that meet sleep in SQLite's busy handler (up
        # to 100 ms a turn): one thread hands them the file in turn, the acknowledgement's first.
        # A server database: the acknowledgement's calls never wait behind the answers'.
        self._seq = itertools.count()
        self._jobs: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._urgent = self._jobs if sqlite_file else queue.PriorityQueue()
        self._lanes = [(self._jobs, 1 if sqlite_file else THREADS)]
        if not sqlite_file:
            self._lanes.append((self._urgent, URGENT_THREADS))
        for lane, (jobs, threads) in enumerate(self._lanes):
            for i in range(threads):
                threading.Thread(target=self._work, args=(jobs,), name=f"store-{lane}-{i}", daemon=True).start()
        self._lock = threading.Lock()
        self._failing: str | None = None
        self._skip_until = 0.0
        self._file = sqlite_file
        self._inode = _inode(sqlite_file)
        self._file_reported = False
        self._local = threading.local()  # .failed: a list of one bool inside a scope, else absent

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Calls made in this block on this thread: after one fails, the rest fail at once (a block
        inside another is part of it)."""
        outer = getattr(self._local, "failed", None)
        self._local.failed = outer or [False]
        try:
            yield
        finally:
            self._local.failed = outer

    def call(self, fn: Callable[[], T], timeout: float | None = None, *, read_only: bool = False) -> T:
        """`fn()` within the deadline; StoreUnavailable when it fails or runs out of time. With a
        (shorter) `timeout` the call goes ahead of those waiting: the acknowledgement waits on it.
        `read_only`: a read that works does not end a failing spell (a locked SQLite file still reads)."""
        failed = getattr(self._local, "failed", None)
        if failed and failed[0]:
            raise StoreUnavailable("skipped: the database failed earlier in this answer")
        if time.monotonic() < self._skip_until:
            raise StoreUnavailable("skipped: the database timed out a moment ago")
        deadline = min(self.timeout, timeout) if timeout else self.timeout
        future = self._submit(fn, URGENT if timeout else NORMAL)
        try:
            result = future.result(timeout=deadline)
        except FutureTimeout:
            if deadline < self.timeout:
                # Only slower than the acknowledgement can wait: that is not a failing database,
                # and the answers and statistics go on using it.
                raise StoreUnavailable(f"no answer within the acknowledgement's {deadline:g} s") from None
            self._skip_until = time.monotonic() + SKIP_SECONDS
            self._failed(f"no answer within {deadline:g} s", failed)
            raise StoreUnavailable("timed out") from None
        except SQLAlchemyError as exc:
            self._failed(error_kind(exc), failed)
            raise StoreUnavailable(error_kind(exc)) from None
        if not read_only:
            self._worked()
        return result

    def background(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the database threads without waiting (housekeeping)."""

        def run() -> None:
            try:
                fn()
            except SQLAlchemyError as exc:
                self._failed(error_kind(exc))

        self._submit(run)

    def close(self) -> None:
        for jobs, threads in self._lanes:
            for _ in range(threads):
                jobs.put((STOP, next(self._seq), None))

    def _submit(self, fn: Callable[[], T], priority: int = NORMAL) -> Future[T]:
        future: Future[T] = Future()
        (self._urgent if priority == URGENT else self._jobs).put((priority, next(self._seq), (fn, future)))
        return future

    def _work(self, jobs: queue.PriorityQueue[tuple[int, int, Any]]) -> None:
        while (job := jobs.get()[2]) is not None:
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, who decides
                future.set_exception(exc)

    def _failed(self, kind: str, scope: list[bool] | None = None) -> None:
        if scope:
            scope[0] = True
        with self._lock:
            first, self._failing = self._failing is None, kind
        if first:
            log.error(
                "database %s failing: %s; answering without de-duplication and statistics until it works again",
                self.what,
                kind,
            )

    def _worked(self) -> None:
        with self._lock:
            was, self._failing = self._failing, None
        if was:
            log.warning("database %s works again", self.what)
        if self._file and not self._file_reported and _inode(self._file) != self._inode:
            self._file_reported = True
            log.error(
                "database file named by %s was deleted or replaced while running: what is recorded now "
                "is lost on restart, and retries on other instances are not recognised; restart the bot",
                self.what,
            )


def _inode(path: str | None) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
