"""One loaded knowledge base and its matcher: question in, Answer out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import env_flag
from .loader import load_knowledge
from .matcher import Match, Matcher
from .model import Knowledge, Topic
from .privacy import known_words_only
from .render import Answer, answer_topic, build_answer


def approved_only_from_env() -> bool:
    """`NMS_APPROVED_ONLY=1`: unapproved topics are treated as not covered."""
    return env_flag("NMS_APPROVED_ONLY")


@dataclass(frozen=True)
class Engine:
    """Immutable, so a reload swaps a whole Engine and no reader sees half of one."""

    knowledge: Knowledge
    matcher: Matcher

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge, approved_only: bool = False) -> Engine:
        if approved_only:
            knowledge = knowledge.approved_only()
        return cls(knowledge, Matcher(knowledge))

    @classmethod
    def load(cls, path: str | Path | None = None, approved_only: bool | None = None) -> Engine:
        """Load and validate; raises KnowledgeError with every problem."""
        if approved_only is None:
            approved_only = approved_only_from_env()
        return cls.from_knowledge(load_knowledge(path), approved_only)

    def ask(self, question: str) -> Answer:
        return build_answer(self.knowledge, self.matcher.match(question), question)

    def ask_explained(self, question: str) -> tuple[Answer, Match]:
        """The Answer and the matcher's verdict behind it (for `ask --explain`)."""
        match = self.matcher.match(question)
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
