"""The review packet: every topic as the bot answers it, its sign-off, and a page that renders."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zlib
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nms_bot.core.compose import answer_topic
from nms_bot.core.loader import load_knowledge
from nms_bot.core.packet import build_packet
from nms_bot.core.signoff import topic_fingerprint

from .test_knowledge import edit
from .test_signoff import OWNERS, add_owners, approve

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
BLOCKS = {"p", "div", "li", "dt", "dd", "td", "th", "tr", "h1", "h2", "h3"}
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


class Sections(HTMLParser):
    """The visible text of the page, overall and per topic section (what a reader sees)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)
        if tag in BLOCKS:
            self.handle_data(" ")
        a = dict(attrs)
        if tag == "section":
            self.current = str(a.get("id", "")).removeprefix("topic-")
            self.sections[self.current] = []
        if a.get("href"):
            self.hrefs.append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.handle_data(" ")
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.current:
            self.sections[self.current].append(data)

    def of(self, topic_id: str) -> str:
        return " ".join("".join(self.sections[topic_id]).split())


def parse(page: str) -> Sections:
    p = Sections()
    p.feed(page)
    return p


@pytest.fixture
def signed_kb(kb: Path) -> Path:
    """Cooling approved and owned, dantrolene changed since approval, ECT overdue, a statement with markup."""
    add_owners(kb / "topics" / "cooling.yaml", OWNERS)
    approve(kb, "cooling", "dantrolene", on=dt.date(2026, 11, 1))
    approve(kb, "ect", by="Dr Old", on=dt.date(2025, 1, 1))
    edit(kb / "topics" / "dantrolene.yaml", "has been used in some cases", "has been used in many cases")
    edit(
        kb / "topics" / "evidence.yaml",
        "\nrelated:",
        f"\n  - tier: research\n    text: '{HOSTILE}'\n    cite: [jpma-2014]\nrelated:",
    )
    return kb


def test_packet_holds_every_topic_as_the_bot_answers_it(signed_kb: Path):
    knowledge = load_knowledge(signed_kb)
    page = build_packet(knowledge, dt.date(2026, 11, 25))
    seen = parse(page)
    assert set(seen.sections) == set(knowledge.topics)
    for topic in knowledge.topics.values():
        shown = seen.of(topic.id)
        answer = answer_topic(knowledge, topic)
        assert shown.startswith(topic.title)
        for s in answer.statements:
            assert f"{s.text.replace('*', '')} [{','.join(map(str, s.numbers))}]" in shown
        for c in answer.citations:
            assert f"[{c.n}] {c.text}" in shown
            if c.url:
                assert c.url in seen.hrefs
        assert f"Disclaimer: {knowledge.disclaimer.short}" in shown
        assert answer.footer in shown and topic_fingerprint(topic, knowledge.references) in shown
    assert f"Knowledge version {knowledge.version}" in " ".join("".join(seen.text).split())
    assert knowledge.disclaimer.full in "".join(seen.text)


def test_packet_shows_sign_off_state_owners_approval_and_changes(signed_kb: Path):
    knowledge = load_knowledge(signed_kb)
    seen = parse(build_packet(knowledge, dt.date(2026, 11, 25)))
    cooling = seen.of("cooling")
    assert "Review state approved" in cooling and "Owners Dr Ada Lovelace (U0123ABCD1)" in cooling
    assert "Approved Dr Ada Lovelace on 2026-11-01" in cooling and "Next review due 2027-04-30" in cooling
    assert "Reviewed by Dr Ada Lovelace on 2026-11-01" in cooling and "Pending clinical review" not in cooling
    dantrolene = seen.of("dantrolene")
    assert "Review state changed since approval" in dantrolene and "Pending clinical review" in dantrolene
    assert "Last approved Dr Ada Lovelace on 2026-11-01" in dantrolene
    assert "Changed since approval" in dantrolene
    assert re.search(r"- research: \*Dantrolene sodium\* [^+]* in some cases\. \[2,5,3,4\]", dantrolene)
    assert re.search(r"\+ research: \*Dantrolene sodium\* [^-]* in many cases\. \[2,5,3,4\]", dantrolene)
    ect = seen.of("ect")
    assert "Review state review overdue" in ect and "Next review due 2025-06-30 (513 days overdue)" in ect
    fluids = seen.of("fluids")
    assert "Owners none (nobody is reminded)" in fluids and "Review state never approved" in fluids


def test_packet_escapes_everything_and_needs_no_network(signed_kb: Path):
    edit(signed_kb / "references.yaml", "Quarterly, 2001.", "Quarterly, 2001. <b>bold</b>")
    page = build_packet(load_knowledge(signed_kb), dt.date(2026, 11, 25))
    assert "<script" not in page and "<img" not in page and "<b>bold" not in page
    assert escape(HOSTILE) in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    seen = parse(page)
    assert HOSTILE in seen.of("evidence")
    assert seen.tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "p",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "section",
        "div",
        "span",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
    }
    assert all(h.startswith(("#topic-", "https://")) for h in seen.hrefs)
    assert seen.attrs <= {"lang", "charset", "name", "content", "class", "id", "href"}  # no src, no on...=
    assert not re.search(r"@import|url\(", page)
    assert "@media print" in page and "break-before: page" in page


def _png_rows(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct scanlines of an 8-bit PNG (no image library needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    return width, height, {raw[i * stride + 1 : (i + 1) * stride] for i in range(height)}


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium here (apt-get install chromium): the packet is not rendered in a real browser on this machine",
)
def test_packet_renders_and_prints_in_headless_chromium(signed_kb: Path, tmp_path: Path):
    page = tmp_path / "packet" / "index.html"
    page.parent.mkdir()
    page.write_text(build_packet(load_knowledge(signed_kb), dt.date(2026, 11, 25)), encoding="utf-8")
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'p'}",
    ]
    png, pdf = tmp_path / "out.png", tmp_path / "out.pdf"
    subprocess.run(
        [*flags, f"--screenshot={png}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    width, height, rows = _png_rows(png)
    assert (width, height) == (1200, 1600)
    assert len(rows) > 300, "the screenshot is nearly blank: the page did not render"
    subprocess.run(
        [*flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 1 + 14, "in print every topic starts on its own page"
