"""Whether a cited quote occurs in its seed document (the documents rule: every rule the program
enforces cites its clause, and the quote is the document's own words).

Compared modulo what text extraction changed and nothing else: whitespace, the width of
punctuation (NFKC: the seeds mix "，" and ","), and the page numbers a PDF's extraction left inside
sentences of 003 ("社评组2、织", "材料3、后": a digit and "、" at each page break), removed from both
sides. A quote may elide with "……"; each part must occur.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

SEEDS = Path("/work/shared/seeds")
_PAGE_BREAK = re.compile(r"\d+、")
_CURLY = re.compile(r"“([^”]*)”")


def normalised(text: str) -> str:
    return _PAGE_BREAK.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def seed_text(prefix: str) -> str | None:
    """The seed whose file name starts with ``prefix`` (000…004), normalised; None when not at hand."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    return normalised(found[0].read_text(encoding="utf-8")) if found else None


def missing_parts(quote: str, seed: str) -> list[str]:
    """The parts of ``quote`` (split at "……") that do not occur in the normalised ``seed``."""
    parts = [p for p in re.split(r"…+", quote) if p.strip()]
    return [p for p in parts if normalised(p).strip("。；，,;") not in seed]


def quoted(clause: str) -> list[str]:
    """The quotations inside a clause written as 'article：“words”；…' (a rubric's outcome, na, evidence)."""
    return _CURLY.findall(clause)
