"""Compile the common English words nms-bot's speller leaves alone, ahead of time.

The list comes from the `wordfreq` package (Robyn Speer; code Apache 2.0, data CC BY-SA 4.0):
every English word of four letters or more, a-z only, used at least once per million words
(Zipf frequency 3.0 or more). A word on it is a word, not a slip for one the knowledge base
knows: "cover" is not a typo of "recov", nor "cross" a clipped "crossfit". The package and its
data take 56 MB and a second to load, so this script writes the words, one per line, to
nms_bot/core/englishwords.txt; the speller reads that file only when a question holds a word
the knowledge base does not know.

Run it after upgrading wordfreq; a test fails while the committed file differs from what this
script writes:

    pip install wordfreq && python tools/compile_words.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "nms_bot" / "core" / "englishwords.txt"
MIN_ZIPF = 3.0
WORD = re.compile(r"[a-z]{4,}")
HEADER = (
    "# Compiled by tools/compile_words.py from wordfreq {version} (data CC BY-SA 4.0,"
    " https://github.com/rspeer/wordfreq): do not edit.\n"
)


def common_words() -> list[str]:
    """English words of four letters or more with a Zipf frequency of at least MIN_ZIPF."""
    from wordfreq import top_n_list, zipf_frequency

    return sorted({w for w in top_n_list("en", 100_000) if WORD.fullmatch(w) and zipf_frequency(w, "en") >= MIN_ZIPF})


def main() -> int:
    from importlib.metadata import version

    words = common_words()
    OUT.write_text(HEADER.format(version=version("wordfreq")) + "".join(w + "\n" for w in words), encoding="utf-8")
    print(f"{len(words)} words -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
