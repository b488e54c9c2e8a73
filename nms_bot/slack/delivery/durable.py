"""The durable answering queue: what was acknowledged is answered, also after a crash (issue 18).

A question is written to the database before its acknowledgement goes out (`put`), held by this
process for a lease; the answering queue's workers answer it (renewing the lease as they start)
and delete it. Questions left by a process that died (kill -9, the OOM killer, a lost node) are
taken again: at start-up, those of dead processes on this host at once, and by any instance once
their lease runs out. When the database does not take a question within ACK_DEADLINE, it is
answered from memory as before (lost if the process dies), and the log says so once. A database
failing after it took the question does not hold the answer up: it goes out from memory, and
its row is deleted when the database works again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from enum import Enum

from ...storage.store import Store, StoreUnavailable, Taken
from ..common.settings import ANSWER_LEASE
from .answering import AnswerQueue

log = logging.getLogger("nms_bot.answering")
ACK_DEADLINE = 0.5  # seconds the acknowledgement may wait for the database before answering from memory
MEMORY_LOG_SECONDS = 600  # a database that keeps flapping is logged once in ten minutes, with a count
SWEEP_SECONDS = 5.0  # how often to look for questions no worker holds
MAX_ATTEMPTS = 3  # a question whose worker died this often (it may be what kills it) is dropped
_LIVE: set[str] = set()  # this process's owner tokens (several stores per process in tests)


class Put(Enum):
    QUEUED = "queued"  # in the database, to be answered by some instance
    SEEN = "seen"  # a retry of an event already kept or answered, or nothing to answer
    MEMORY = "memory"  # the database did not take it: answer it from memory


class DurableQueue:
    """Questions kept in the database, taken by `answers`' workers and handed to `work`."""

    def __init__(self, store: Store, answers: AnswerQueue, lease: float = ANSWER_LEASE):
        self.store, self.answers, self.lease = store, answers, lease
        self._token = secrets.token_hex(4)
        self.owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{self._token}"
        self._work: Callable[[Taken], bool] | None = None  # True: it deleted the row itself
        self._lock = threading.Lock()
        self._pending = 0  # takes queued on `answers`, not yet started
        self._in_memory = False  # answering from memory now
        self._logged = float("-inf")  # when a spell of answering from memory was last logged
        self._unlogged = 0  # spells since then, told in the next line logged
        self._answered: set[int] = set()  # rows answered here whose deletion failed (database failing)

    def put(self, question: str, event_id: str, thread_key: str | None = None) -> Put:
        """Keep an acknowledged question (JSON) until it is answered; call it before the ack.
        `thread_key`: a follow-up, kept only if the bot answered in that thread lately."""
        try:
            job = self.store.enqueue(event_id, question, self.owner, self.lease, ACK_DEADLINE, thread_key)
        except StoreUnavailable:
            return self._memory()
        except Exception as exc:
            log.error("cannot keep a question in the answering queue: %s", type(exc).__name__)
            return self._memory()
        if self._in_memory:
            self._in_memory = False
            if not self._unlogged:  # a burst that flaps between the two is told once, then counted
                log.warning("answering queue: acknowledged questions are kept in the database again")
        if job is None:
            return Put.SEEN
        if self._work is not None:  # else (not started) it waits in the database for a started one
            received = time.monotonic()
            self.answers.submit(lambda: self._run(Taken(job, question, 0), received))
        return Put.QUEUED

    def _still_ours(self, taken: Taken, received: float) -> bool:
        """Renew the lease on a question received here; False if it ran out and the question was
        taken since. Not needed while most of the lease is left (a write saved per answer)."""
        if time.monotonic() - received < self.lease / 4:
            return True
        try:
            return self.store.hold(taken.id, self.owner, self.lease)
        except StoreUnavailable:
            return True  # the database failed since it took the question: answer from memory

    def _memory(self) -> Put:
        if not self._in_memory:
            self._in_memory = True
            now = time.monotonic()
            if now - self._logged < MEMORY_LOG_SECONDS:
                self._unlogged += 1
            else:
                again = f" ({self._unlogged} more time(s) since the last such line)" if self._unlogged else ""
                self._logged, self._unlogged = now, 0
                log.error(
                    "answering queue: the database did not take an acknowledged question within %g s; "
                    "answering from memory (lost if the process dies) until it does%s",
                    ACK_DEADLINE,
                    again,
                )
        return Put.MEMORY

    def start(self, work: Callable[[Taken], bool]) -> None:
        """Hand taken questions to `work`; take up those a dead process left, now and as leases run out."""
        self._work = work
        _LIVE.add(self._token)
        threading.Thread(target=self._sweep, name="answer-sweep", daemon=True).start()

    def _submit(self) -> None:
        with self._lock:
            self._pending += 1
        if not self.answers.submit(self._take):
            with self._lock:
                self._pending -= 1

    def _take(self) -> None:
        with self._lock:
            self._pending -= 1
        try:
            taken = self.store.take(self.owner, self.lease)
        except StoreUnavailable:
            return  # the row waits; the sweep tries again
        if taken is None:
            return  # another worker or instance took it first
        if taken.id in self._answered:  # answered while the database failed: only the row is left
            self._done(taken)
        elif taken.attempts >= MAX_ATTEMPTS:
            log.error("answering queue: dropped a question whose answering was cut short %d times", taken.attempts)
            self._done(taken)
        else:
            self._run(taken)

    def _run(self, taken: Taken, received: float | None = None) -> None:
        """Answer a question (`received`: when, if this process received it) and delete it. The
        lease renewal and the answer share one deadline for a failing database; the deletion,
        after the answer is out, has its own."""
        assert self._work is not None
        answering, deleted = True, False
        try:
            with self.store.one_deadline():
                answering = received is None or self._still_ours(taken, received)
                if answering:
                    deleted = self._work(taken)
        finally:  # answered, or refused by Slack (logged): either way not answered again
            if deleted:
                self._answered.discard(taken.id)
            elif answering:
                self._done(taken)

    def _done(self, taken: Taken) -> None:
        try:
            self.store.done(taken.id)
            self._answered.discard(taken.id)
        except StoreUnavailable:
            self._answered.add(taken.id)  # deleted when the sweep finds it free
        except Exception as exc:
            self._answered.add(taken.id)
            log.error("cannot delete an answered question from the answering queue: %s", type(exc).__name__)

    def _sweep(self) -> None:
        self._release_the_dead()
        interval = min(SWEEP_SECONDS, self.lease / 2)
        while self.answers.accepting and not self.store.closed:
            try:
                free = self.store.free_questions()
            except StoreUnavailable:
                free = 0
            except Exception as exc:
                log.error("cannot look for questions to answer: %s", type(exc).__name__)
                free = 0
            with self._lock:
                missing = free - self._pending
            for _ in range(missing):
                self._submit()
            time.sleep(interval)

    def _release_the_dead(self) -> None:
        """Free at once the questions held by processes on this host that no longer run."""
        host = socket.gethostname()[:60]
        try:
            dead = [o for o in self.store.holders() if _dead(o, host)]
            self.store.release(dead)
        except StoreUnavailable:
            return
        except Exception as exc:
            log.error("cannot look for questions a stopped process held: %s", type(exc).__name__)
            return
        if dead:
            log.info("answering queue: taking up the questions of %d stopped process(es)", len(dead))


def _dead(owner: str, host: str) -> bool:
    """A `host:pid:token` owner on `host` whose process is gone. A pid reused by this process
    (a restarted container is pid 1 again) is dead unless the token is one of ours."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid, token = int(parts[1]), parts[2]
    if pid == os.getpid():
        return token not in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: alive, another user's
        return False
    return False
