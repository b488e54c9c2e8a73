"""Serve the last good knowledge base while editors change the files underneath.

`LiveEngine.current` is one immutable Engine; a reload builds a complete new Engine off to the
side and swaps the reference in one assignment, so an in-flight answer never sees half a load.
An edit that fails validation is logged (`file:line: message`) and the old Engine stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from .engine import Engine, approved_only_from_env
from .loader import KnowledgeError, default_knowledge_path, load_knowledge

log = logging.getLogger("nms_bot.reload")


def _fingerprint(root: Path) -> tuple[tuple[str, int, int, int], ...]:
    # The mode too: a file made unreadable is noticed (and refused) now, not on the next SIGHUP.
    files = []
    for path in sorted(root.rglob("*.y*ml")):
        try:
            st = path.stat()
        except OSError:
            continue
        files.append((str(path), st.st_mtime_ns, st.st_size, st.st_mode))
    return tuple(files)


class LiveEngine:
    def __init__(self, path: str | Path | None = None, approved_only: bool | None = None):
        self.path = Path(path) if path else default_knowledge_path()
        self.approved_only = approved_only_from_env() if approved_only is None else approved_only
        self._fingerprint = _fingerprint(self.path)
        self.current = Engine.from_knowledge(load_knowledge(self.path), self.approved_only)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Told of each reload: (True, new version) in service, or (False, version kept) refused.
        # A callback keeps metrics (and their library) out of the core.
        self.on_reload: Callable[[bool, str], None] | None = None

    def reload(self, force: bool = False) -> bool:
        """Reload if the files changed (or `force`); True when a new version is in service."""
        with self._lock:
            fingerprint = _fingerprint(self.path)
            if fingerprint == self._fingerprint and not force:
                return False
            self._fingerprint = fingerprint
            try:
                knowledge = load_knowledge(self.path)
            except KnowledgeError as exc:
                log.error("knowledge edit rejected, still serving %s:", self.current.knowledge.version)
                for problem in exc.problems:
                    log.error("%s", problem)
                self._tell(False)
                return False
            self.current = Engine.from_knowledge(knowledge, self.approved_only)
            log.info("knowledge %s loaded from %s", knowledge.version, self.path)
            self._tell(True)
            return True

    def _tell(self, ok: bool) -> None:
        if self.on_reload:
            try:
                self.on_reload(ok, self.current.knowledge.version)
            except Exception as exc:  # bookkeeping must never stop a reload
                log.error("reload callback failed: %s", type(exc).__name__)

    def request_reload(self) -> None:
        """Ask the watcher to reload now (safe to call from a signal handler)."""
        self._wake.set()

    def start_watching(self, interval: float | None = 2.0) -> None:
        """Check the files every `interval` seconds (None: never by itself), and whenever
        `request_reload` is called."""
        if self._thread:
            return

        def loop() -> None:
            while not self._stop.is_set():
                forced = self._wake.wait(interval)
                self._wake.clear()
                if self._stop.is_set():
                    return
                try:
                    self.reload(force=forced)
                except Exception:  # a reload bug must not stop the bot answering
                    log.exception("knowledge reload failed; still serving the last good version")

        self._thread = threading.Thread(target=loop, name="knowledge-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
