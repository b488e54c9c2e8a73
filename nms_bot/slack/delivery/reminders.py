"""Review reminders: once a day, DM each topic owner about topics that changed since approval
or whose review is overdue. Each (owner, topic, reason, period) goes out once across all
instances sharing the database: the instance that claims it in the store sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.loader import KnowledgeError, load_knowledge
from ...core.model import Owner
from ...core.signoff import CHANGED, OVERDUE, ReviewStatus, review_statuses
from ...storage.store import Store
from ..blocks.parts import NO_UNFURL, _contexts, _sections, escape
from .answering import error_kind

log = logging.getLogger("nms_bot.reminders")
HOW_TO = (
    "How to review: `nms-bot review` shows what changed since the last approval, and `nms-bot export --html "
    "DIR` writes the review packet with every topic as clinicians see it. When the text is right, record "
    "your approval with "
    '`nms-bot review approve TOPIC --by "Your Name"` and commit knowledge/approvals.yaml '
    "(knowledge/README.md, \u201cSigning off a topic\u201d). Until then, changed topics are answered with "
    "\u201cPending clinical review\u201d."
)

Key = tuple[str, str, str]  # (topic id, reason, period)


@dataclass(frozen=True)
class Due:
    """One topic an owner should be reminded of, and the period the reminder is for."""

    status: ReviewStatus

    @property
    def key(self) -> Key:
        s = self.status
        # A change is reminded once per approved version; an overdue review once per due date.
        period = s.record.fingerprint if s.state == CHANGED and s.record else str(s.due)
        return s.topic.id, s.state, period

    def line(self) -> str:
        s, r = self.status, self.status.record
        title = f"*{escape(s.topic.title)}* (`{escape(s.topic.id)}`)"
        if s.state == CHANGED and r:
            return f"\u2022 {title}: changed since {escape(r.by)} approved it on {r.date.isoformat()}"
        by = f" (approved by {escape(r.by)} on {r.date.isoformat()})" if r else ""
        return f"\u2022 {title}: review overdue since {s.due}{by}"


def due_by_owner(statuses: list[ReviewStatus]) -> dict[str, tuple[Owner, list[Due]]]:
    """For each owner id, the owner and the changed or overdue topics they own."""
    out: dict[str, tuple[Owner, list[Due]]] = {}
    for s in statuses:
        if s.state in (CHANGED, OVERDUE):
            for owner in s.topic.owners:
                out.setdefault(owner.slack_id, (owner, []))[1].append(Due(s))
    return out


def reminder_message(owner: Owner, items: list[Due]) -> dict[str, Any]:
    """The DM: whose topics, what is wrong with each, how to review them."""
    lead = f"Hello {escape(owner.name)}: topics you own in nms-bot need clinical review."
    lines = "\n".join(d.line() for d in items)
    text = f"{lead}\n{lines}\n{HOW_TO}"
    return {"text": text, "blocks": _sections(f"{lead}\n{lines}") + _contexts([HOW_TO])}


class Reminders:
    """Checks once a day at `hour` (server local time) and sends what no instance has sent."""

    def __init__(
        self,
        knowledge_path: Path,
        store: Store,
        client: Any,
        hour: int,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ):
        self.path, self.store, self.client, self.hour, self.now = knowledge_path, store, client, hour, now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self, today: dt.date | None = None) -> int:
        """Send today's reminders; returns how many DMs this instance sent."""
        try:  # the whole knowledge base, also topics NMS_APPROVED_ONLY keeps from answers
            knowledge = load_knowledge(self.path)
        except KnowledgeError:
            log.error("review reminders skipped: the knowledge base has problems (run nms-bot validate)")
            return 0
        sent = 0
        for owner_id, (owner, items) in due_by_owner(review_statuses(knowledge, today or self.now().date())).items():
            claimed = self.store.claim_reminders(owner_id, [d.key for d in items])
            if not claimed:
                continue
            mine = [d for d in items if d.key in claimed]
            try:
                self.client.chat_postMessage(channel=owner_id, **NO_UNFURL, **reminder_message(owner, mine))
                sent += 1
            except Exception as exc:
                log.error(
                    "review reminder to owner %s failed (%s); will try again at the next check",
                    owner_id,
                    error_kind(exc),
                )
                self.store.release_reminders(owner_id, claimed)
        if sent:
            log.info("review reminders sent to %d owner(s)", sent)
        return sent

    def _loop(self) -> None:
        checked: dt.date | None = None
        while not self._stop.is_set():
            now = self.now()
            if now.hour == self.hour and now.date() != checked:
                checked = now.date()
                try:
                    self.check(now.date())
                except Exception as exc:  # a database or Slack outage must not stop the bot
                    log.error("review reminder check failed: %s", type(exc).__name__)
            # Sleep until the next check, waking hourly so clock changes are noticed.
            self._stop.wait(min(max((next_check(now, self.hour) - now).total_seconds(), 1.0), 3600.0))

    def start(self) -> None:
        if not self._thread:
            self._thread = threading.Thread(target=self._loop, name="review-reminders", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()


def next_check(now: dt.datetime, hour: int) -> dt.datetime:
    """The next `hour`:00 after `now`."""
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)
