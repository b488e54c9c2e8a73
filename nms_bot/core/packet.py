"""The review packet: one static HTML page a review board can read on screen or sign on paper.

Every topic as the bot answers it, with its review state, owners, approval, fingerprint and,
for changed topics, what changed. Self-contained: inline CSS (with a print stylesheet), no
scripts, nothing fetched. Every piece of text from the knowledge base is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from .. import __version__
from .compose import answer_topic
from .model import Knowledge
from .signoff import CHANGED, STATE_LABELS, ReviewStatus, days, review_statuses

CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d0d4d9; --ok: #1e7b34; --warn: #9a5b00; --bad: #b3261e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 0; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta, .footer, .small { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.topic { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 1.5rem 0; }
.state { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .85rem; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.approved { color: var(--ok); } .overdue { color: var(--warn); } .changed, .never-approved { color: var(--bad); }
.caution { border-left: 4px solid var(--warn); background: #fff6e5; padding: .4rem .75rem; margin: .75rem 0; }
ul.statements { padding-left: 1.25rem; } ul.statements li { margin: .25rem 0; }
ol.refs { padding-left: 0; list-style: none; } ol.refs li { margin: .2rem 0; }
a { color: #0b57d0; } a.url { overflow-wrap: anywhere; }
dl.signoff { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.signoff dt { color: var(--muted); } dl.signoff dd { margin: 0; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85em; }
.diff { font: .85rem/1.45 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
        border: 1px solid var(--line); padding: .5rem; margin: .25rem 0; }
.diff .del { background: #fde7e9; } .diff .add { background: #e6f4ea; }
.sign { display: none; }
.disclaimer { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: .75rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " <" attr(href) ">"; font-size: 8.5pt; color: var(--muted); }
  .topic { border: none; border-radius: 0; padding: 0; margin: 0; break-before: page; }
  .topic, .caution, .diff, dl.signoff, .sign { break-inside: avoid; }
  .caution, .diff .del, .diff .add { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .sign { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 1.5rem; margin-top: 1.5rem; }
  .sign div { border-top: 1px solid var(--ink); padding-top: .2rem; font-size: 9pt; color: var(--muted); }
}
"""


def _rich(text: str) -> str:
    """Escaped text with the knowledge base's *bold* shown as bold, as Slack shows it."""
    return re.sub(r"\*([^*\n]+)\*", r"<strong>\1</strong>", escape(text))


def _state(status: ReviewStatus) -> str:
    return f'<span class="state {status.state}">{escape(STATE_LABELS[status.state])}</span>'


def _owners(status: ReviewStatus) -> str:
    owners = status.topic.owners
    if not owners:
        return "none (nobody is reminded)"
    return ", ".join(f"{escape(o.name)} (<code>{escape(o.slack_id)}</code>)" for o in owners)


def _signoff(status: ReviewStatus, today: dt.date) -> str:
    rows = [
        ("Review state", _state(status)),
        ("Owners", _owners(status)),
        ("Review interval", days(status.interval_days)),
    ]
    record = status.record
    if record:
        approved = f"{escape(record.by)} on {record.date.isoformat()}"
        rows.append(("Approved" if status.state != CHANGED else "Last approved", approved))
        if record.note:
            rows.append(("Note", escape(record.note)))
        rows.append(("Approved fingerprint", f"<code>{escape(record.fingerprint)}</code>"))
    if status.due:
        late = status.days_overdue(today)
        rows.append(("Next review due", status.due.isoformat() + (f" ({days(late)} overdue)" if late > 0 else "")))
    rows.append(("Current fingerprint", f"<code>{escape(status.fingerprint)}</code>"))
    return '<dl class="signoff">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _diff(status: ReviewStatus) -> str:
    if not status.diff:
        return ""
    lines = "\n".join(f'<span class="{"del" if d.startswith("-") else "add"}">{escape(d)}</span>' for d in status.diff)
    return (
        '<h3>Changed since approval</h3><p class="small">Lines marked &minus; were approved; lines marked + '
        f'are the text now shown.</p><div class="diff">{lines}</div>'
    )


def _topic(knowledge: Knowledge, status: ReviewStatus, today: dt.date) -> str:
    answer = answer_topic(knowledge, status.topic)
    parts = [
        f'<section class="topic" id="topic-{escape(status.topic.id)}">',
        f"<h2>{escape(status.topic.title)}</h2>",
        f'<div class="meta">Topic <code>{escape(status.topic.id)}</code> &middot; {_state(status)}</div>',
    ]
    if answer.caution:
        parts.append(f'<p class="caution">&#9888; {escape(answer.caution)}</p>')
    for label, statements in answer.by_tier():
        items = "".join(f"<li>{_rich(s.text)} [{','.join(map(str, s.numbers))}]</li>" for s in statements)
        parts.append(f'<h3>{escape(label)}</h3><ul class="statements">{items}</ul>')
    refs = "".join(
        f"<li>[{c.n}] {escape(c.text)}"
        + (f' <a class="url" href="{escape(c.url)}">{escape(c.url)}</a>' if c.url and c.url not in c.text else "")
        + "</li>"
        for c in answer.citations
    )
    parts.append(f'<h3>References</h3><ol class="refs">{refs}</ol>')
    parts.append(f'<p class="footer">{escape(answer.footer)}</p>')
    if answer.knowledge.source.status:
        parts.append(f'<p class="footer">{escape(answer.knowledge.source.status)}</p>')
    parts.append(f'<p class="footer">Disclaimer: {escape(answer.disclaimer)}</p>')
    parts.append("<h3>Sign-off</h3>" + _signoff(status, today) + _diff(status))
    parts.append('<div class="sign"><div>Name</div><div>Signature</div><div>Date</div></div>')
    parts.append("</section>")
    return "\n".join(parts)


def build_packet(knowledge: Knowledge, today: dt.date | None = None) -> str:
    """The whole review packet as one HTML document."""
    today = today or dt.date.today()
    statuses = review_statuses(knowledge, today)
    counts = {state: sum(s.state == state for s in statuses) for state in STATE_LABELS}
    summary = ", ".join(f"{n} {STATE_LABELS[state]}" for state, n in counts.items() if n)
    rows = "".join(
        f'<tr><td><a href="#topic-{escape(s.topic.id)}">{escape(s.topic.title)}</a></td>'
        f"<td>{_state(s)}</td><td>{_owners(s)}</td>"
        f"<td>{escape(s.record.by) + ' on ' + s.record.date.isoformat() if s.record else '&mdash;'}</td></tr>"
        for s in statuses
    )
    src = knowledge.source
    head = (
        f"<h1>NMS knowledge base: clinical review packet</h1>"
        f'<p class="meta">Knowledge version <strong>{escape(knowledge.version)}</strong> &middot; '
        f"prepared {today.isoformat()} by nms-bot {escape(__version__)} &middot; "
        f"{len(statuses)} topics: {escape(summary)}</p>"
        f'<p class="small">Source: {escape(src.publisher)}, &ldquo;{escape(src.title)}&rdquo;, last updated '
        f"{src.updated.isoformat()}. Each topic below is shown as the bot answers it. A topic counts as "
        "approved only while its text matches the fingerprint recorded with its approval; record an approval "
        "with <code>nms-bot review approve TOPIC --by &quot;NAME&quot;</code>.</p>"
        "<table><thead><tr><th>Topic</th><th>State</th><th>Owners</th><th>Approved</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    topics = "\n".join(_topic(knowledge, s, today) for s in statuses)
    tail = f'<div class="disclaimer"><h3>Disclaimer</h3><p>{escape(knowledge.disclaimer.full)}</p></div>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>NMS review packet, knowledge {escape(knowledge.version)}</title>"
        f"<style>{CSS}</style></head><body>\n{head}\n{topics}\n{tail}\n</body></html>\n"
    )
