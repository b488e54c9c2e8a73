"""One loaded knowledge base and its matcher: question in, Answer out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import env_flag
from .compose import AWAITING_APPROVAL, Answer, answer_topic, build_answer
from .matcher import Match, Matcher
from .model import Knowledge, Topic
from .privacy import known_words_only


def approved_only_from_env() -> bool:
    """`NMS_APPROVED_ONLY=1`: unapproved topics are treated as not covered."""
    return env_flag("NMS_APPROVED_ONLY")


@dataclass(frozen=True)
class Engine:
    """Immutable, so a reload swaps a whole Engine and no reader sees half of one."""

    knowledge: Knowledge  # what is served (only approved topics with NMS_APPROVED_ONLY=1)
    matcher: Matcher  # knows every topic, served or not: a question about a hidden one is recognised
    hidden: dict[str, Topic] = field(default_factory=dict)  # topics not served: awaiting approval

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge, approved_only: bool = False) -> Engine:
        if not approved_only:
            return cls(knowledge, Matcher(knowledge))
        # Matching against every topic, not only the served ones, keeps a question about a topic
        # awaiting approval from scoring as unknown words (or going to an approved neighbour).
        served = knowledge.approved_only()
        hidden = {tid: t for tid, t in knowledge.topics.items() if tid not in served.topics}
        return cls(served, Matcher(knowledge), hidden)

    @classmethod
    def load(cls, path: str | Path | None = None, approved_only: bool | None = None) -> Engine:
        """Load and validate; raises KnowledgeError with every problem."""
        from .loader import load_knowledge  # validation: not needed when the engine comes from the CLI's cache

        if approved_only is None:
            approved_only = approved_only_from_env()
        return cls.from_knowledge(load_knowledge(path), approved_only)

    def ask(self, question: str) -> Answer:
        return self.ask_explained(question)[0]

    def ask_explained(self, question: str) -> tuple[Answer, Match]:
        """The Answer and the matcher's verdict behind it (for `ask --explain`)."""
        match = self.matcher.match(question)
        hidden = self.hidden.get(match.topic_id or "") if match.status == "answer" else None
        if hidden:  # a clear question about a topic not served yet: say so, and show what is
            return Answer(question, "none", self.knowledge, reason=AWAITING_APPROVAL, scope=("", hidden.title)), match
        return build_answer(self.knowledge, match, question), match

    def gap(self, question: str) -> str:
        """An unanswered question as it may be recorded: only the words this knowledge base knows."""
        return known_words_only(question, self.matcher.reader.known_stems)

    def topic(self, topic_id: str) -> Topic | None:
        return self.knowledge.topics.get(topic_id.strip().lower())

    def show(self, topic_id: str) -> Answer | None:
        """The Answer for a topic named by id (`/nms dantrolene`, a button)."""
        topic = self.topic(topic_id)
        return answer_topic(self.knowledge, topic) if topic else None
