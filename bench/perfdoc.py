"""Writing a benchmark's section of ``docs/performance.md`` (each bench owns one ``## `` section)."""

from __future__ import annotations

import os
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def replace_section(section: str, body: str, *, first: bool = False) -> None:
    """Put ``body`` (which starts with the ``section`` heading) in place of that section.

    A section not there yet goes at the end, or before every other section with ``first``.
    Written to a temporary name and renamed, so an interrupted bench leaves the old file whole.
    """
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    start = text.find(section)
    if start >= 0:
        end = text.find("\n## ", start + len(section))
        text = text[:start] + body + (text[end + 1 :] if end >= 0 else "")
    elif first and (at := text.find("\n## ")) >= 0:
        text = text[: at + 1] + body + "\n" + text[at + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOC.parent.mkdir(parents=True, exist_ok=True)
    tmp = DOC.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, DOC)
