"""Writing a benchmark's section of ``docs/performance.md`` (each bench owns one ``## `` section).

The file is a short hand-written index (no figures) followed only by sections the benches write
with ``--write``: a section's heading is its bench's ``SECTION`` and its body (figures and notes) is
whatever that bench wrote last. tests/test_docs.py fails on a ``## `` section no bench owns.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def _heading_at(text: str, section: str) -> int:
    """Where the line that is exactly ``section`` starts, or -1 (a heading that is a prefix of
    another, such as "## The centre" of "## The centre on both engines at scale", or the index's
    mention of a heading, is not a match)."""
    found = re.search(rf"^{re.escape(section)}[ \t]*$", text, flags=re.MULTILINE)
    return found.start() if found else -1


def replace_section(section: str, body: str, *, first: bool = False) -> None:
    """Put ``body`` (which starts with the ``section`` heading) in place of that section.

    A section not there yet goes at the end, or before every other section with ``first``.
    Written to a temporary name and renamed, so an interrupted bench leaves the old file whole.
    """
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    body = body.rstrip("\n") + "\n"
    start = _heading_at(text, section)
    if start >= 0:
        end = text.find("\n## ", start + len(section))
        text = text[:start] + body + ("\n" + text[end + 1 :] if end >= 0 else "")
    elif first and (at := text.find("\n## ")) >= 0:
        text = text[: at + 1] + body + "\n" + text[at + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOC.parent.mkdir(parents=True, exist_ok=True)
    tmp = DOC.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, DOC)


class Load:
    """The machine's load average (one minute) at the start of a run and at its end, for the
    section's first lines: on a shared machine a figure means little without it."""

    def __init__(self) -> None:
        self.start = os.getloadavg()[0]
        self.date = time.strftime("%Y-%m-%d")

    def text(self) -> str:
        end = os.getloadavg()[0]
        return (
            f"{self.date}, {os.cpu_count()} cores, load average {self.start:.1f} at the start and"
            f" {end:.1f} at the end of the run (one minute)"
        )
