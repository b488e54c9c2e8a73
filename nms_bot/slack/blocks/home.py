"""Block Kit for help, the topic list, the App Home and the review policy."""

from __future__ import annotations

from typing import Any

from ... import __version__
from ...core.model import Knowledge
from ...core.policy import policy_sections, policy_text
from ...core.render import topic_list
from .parts import (
    ABOUT,
    HOW_TO,
    TEXT_MAX,
    TOPICS_PAGE,
    Block,
    _clip,
    _contexts,
    _fit,
    _sections,
    _short_list,
    _topic_lines,
    escape,
)


def help_message(knowledge: Knowledge) -> dict[str, Any]:
    """`/nms` or `/nms help`: how to ask, the first topics, versions, disclaimer."""
    topics = _short_list(knowledge)
    blocks = [
        *_sections(f"{ABOUT}\n{escape(HOW_TO)}"),
        *_sections(f"*Topics*\n{topics}"),
        *_contexts([_versions(knowledge), f":information_source: {escape(knowledge.disclaimer.short)}"]),
    ]
    text = f"{escape(HOW_TO)}\n{topics}\n{escape(knowledge.disclaimer.short)}"
    return {"text": _clip(text, TEXT_MAX), "blocks": _fit(blocks)}


def topics_message(knowledge: Knowledge, page: int = 1) -> dict[str, Any]:
    """`/nms topics [PAGE]`: the topics, TOPICS_PAGE at a time (a page past the end shows the last)."""
    topics = topic_list(knowledge)
    pages = max(1, -(-len(topics) // TOPICS_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * TOPICS_PAGE
    shown = topics[first : first + TOPICS_PAGE]
    heading = "*Topics*"
    if pages > 1:
        heading += f" {first + 1:,}\u2013{first + len(shown):,} of {len(topics):,} (page {page} of {pages})"
    lines = _topic_lines(shown)
    if page < pages:
        lines += f"\nNext: `/nms topics {page + 1}`"
    blocks = [
        *_sections(f"{heading}\n{lines}"),
        *_contexts([_versions(knowledge), f":information_source: {escape(knowledge.disclaimer.short)}"]),
    ]
    text = f"{heading}\n{lines}\n{escape(knowledge.disclaimer.short)}"
    return {"text": _clip(text, TEXT_MAX), "blocks": _fit(blocks)}


def _versions(knowledge: Knowledge) -> str:
    s = knowledge.source
    status = f" {escape(s.status)}" if s.status else ""
    return (
        f"nms-bot {__version__} \u00b7 knowledge {escape(knowledge.version)} \u00b7 source: "
        f"{escape(s.publisher)}, \u201c{escape(s.title)}\u201d, last updated {s.updated.isoformat()}.{status}"
    )


def ways_to_ask(followups: bool, escalation_channel: str | None) -> str:
    """The App Home's list of ways to ask, as this installation is set up."""
    lines = [
        "*Ways to ask*",
        "\u2022 *Mention me* in a channel: `@nms-bot should we give dantrolene?` I answer in a thread.",
        "\u2022 *Direct message* me, or open my *Messages* tab and tap a suggested question.",
        "\u2022 `/nms QUESTION`: only you see the answer, with *Share in channel*.",
        "\u2022 *On any message, also inside a thread*: *More actions* (\u22ee) \u2192 *Ask nms-bot*. Edit "
        "the question (and remove patient details) before asking; only you see the answer, with "
        "*Share in thread*.",
    ]
    if followups:
        lines.append(
            "\u2022 *Follow-ups*: once I have answered in a thread, reply there without mentioning "
            "me. I answer only when I am sure the reply asks about one of my topics, and stay quiet "
            "otherwise; a mention always gets an answer."
        )
    if escalation_channel:
        lines.append(
            f"\u2022 *Ask a colleague*: when I cannot help (or you mark an answer *Not helpful*), the "
            f"button sends who asked and a link to the conversation to <#{escalation_channel}>, never "
            "the question itself. Colleagues reply in your thread."
        )
    return "\n".join(lines)


def home_view(
    knowledge: Knowledge,
    *,
    followups: bool = False,
    escalation_channel: str | None = None,
    settings: list[Block] | None = None,
) -> dict[str, Any]:
    """The App Home tab: what the bot is, how to ask, the reader's `settings` (slack/delivery/readers.py),
    topics, full disclaimer, versions."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "nms-bot: NMS treatment look-up"}},
        *_sections(
            "I look up how *neuroleptic malignant syndrome (NMS)* is treated, from a curated, cited knowledge base."
        ),
        *_sections(ways_to_ask(followups, escalation_channel)),
        *_sections(escape("`/nms topics` lists the topics; `/nms <topic id>` shows one.")),
        *([{"type": "divider"}, *settings] if settings else []),
        {"type": "divider"},
        *_sections("*Topics*\n" + _short_list(knowledge)),
        {"type": "divider"},
        *_sections("*Disclaimer*\n" + escape(knowledge.disclaimer.full)),
        *_policy_blocks(knowledge),
        *_contexts([_versions(knowledge)]),
    ]
    return {"type": "home", "blocks": _fit(blocks)}


def _policy_blocks(knowledge: Knowledge) -> list[Block]:
    """The editorial policy (policy.yaml) under its title; nothing when there is none."""
    if knowledge.policy is None:
        return []
    parts = [f"*{escape(heading)}*\n{escape(text)}" for heading, text in policy_sections(knowledge)]
    return [{"type": "divider"}, *_sections(f"*{escape(knowledge.policy.title)}*"), *_sections("\n\n".join(parts))]


def policy_message(knowledge: Knowledge) -> dict[str, Any]:
    """`/nms policy`: the editorial policy, or a line saying the knowledge base keeps none."""
    blocks = _policy_blocks(knowledge)[1:] or _sections(escape(policy_text(knowledge)))
    return {"text": _clip(escape(policy_text(knowledge)), TEXT_MAX), "blocks": _fit(blocks)}
