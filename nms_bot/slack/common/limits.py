"""Bounds on what anonymous callers can make the bot keep: requests per client, live OAuth states."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class TooManyStates(Exception):
    """So many OAuth states are live that no new one is issued until some are used or expire."""


class PerClient:
    """At most `limit` requests per `window` seconds from one client. Remembers at most `clients`
    clients (the least recently seen forgotten first), so a flood of addresses costs bounded memory."""

    def __init__(
        self, limit: int, window: float, clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clients, self.clock = limit, window, clients, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count a request from `client`; False when it is over its limit (it is not counted then)."""
        now = self.clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._seen[client] = times
            while len(self._seen) > self.clients:
                self._seen.popitem(last=False)
            return allowed
