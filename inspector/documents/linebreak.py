"""Chinese line breaking (避头尾) for every paragraph the documents print.

reportlab's only option is ``wordWrap="CJK"``: it breaks between any two characters and, when the
character that overflows may not begin a line, hangs that one character in the right margin. Its
list of such characters lacks the full-width ，：；？！ (so "，不得分" began a line), a second closing
mark after a hung one still begins the next line, and the rule that a line may not end with an
opening mark (（《“) is not implemented at all (``kinsokuShoriSplit`` is marked "NOT USED OR
FINISHED"). So :class:`CJKParagraph` chooses the breaks itself, by the rule of GB/T 15834 and of
every Chinese typesetter (行首禁则 / 行尾禁则): when a line is full, the break moves back until the
next line does not begin with a closing mark and this line does not end with an opening one; a run
of Latin letters and digits (an id, a year, "SHA-256") is not cut unless it is longer than a line.
Nothing hangs into the margin, so the text stays inside its cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

# may not begin a line: closing punctuation, full-width and half-width
CANNOT_START = frozenset("。，、：；？！）》」』】〕〗〉”’…—·%‰℃,.:;?!)]}")
# may not end a line: opening punctuation
CANNOT_END = frozenset("（《「『【〔〖〈“‘([{")


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-_./")


def break_at(text: Sequence[str], start: int, i: int) -> int:
    """Where a line that began at ``start`` ends, given that character ``i`` does not fit on it.

    Returns an index ``b`` with ``start < b <= i``: the line is ``text[start:b]``. Moves back over
    the rules above; a line that cannot be broken by them (a single long run) breaks at ``i``.
    """
    b = i
    while b > start + 1 and (text[b] in CANNOT_START or text[b - 1] in CANNOT_END):
        b -= 1
    if b == start + 1 and (text[b] in CANNOT_START or text[b - 1] in CANNOT_END):
        b = i  # nothing better on this line: keep the greedy break
    # do not cut a Latin run (an id or a number) if it can move whole to the next line
    if _latin(text[b]) and _latin(text[b - 1]):
        k = b - 1
        while k > start and _latin(text[k - 1]):
            k -= 1
        if k > start and text[k] not in CANNOT_START and text[k - 1] not in CANNOT_END:
            b = k
    return b


def split_widths(text: Sequence[str], widths: Sequence[float], max_widths: Sequence[float]) -> list[int]:
    """The end index of each line of ``text`` (one width per character), lines at most
    ``max_widths[n]`` wide (the last width repeats); hard breaks ("\\n") end a line."""
    ends: list[int] = []
    start = 0
    used = 0.0
    i = 0
    n = len(text)
    while i < n:
        limit = max_widths[min(len(ends), len(max_widths) - 1)]
        if text[i] == "\n":
            ends.append(i + 1)
            start, used, i = i + 1, 0.0, i + 1
            continue
        if used + widths[i] > limit + _FUZZ and i > start:
            b = break_at(text, start, i)
            ends.append(b)
            start, used, i = b, 0.0, b
            continue
        used += widths[i]
        i += 1
    if start < n or not ends:
        ends.append(n)
    return ends


class CJKParagraph(Paragraph):  # type: ignore[misc]
    """A ``Paragraph`` whose CJK wrap follows :func:`break_at` (the style's ``wordWrap`` is "CJK")."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        self.height = 0
        frags = self.frags
        if not frags or getattr(self.style, "endDots", None) or getattr(self, "bulletText", None):
            return super().breakLinesCJK(maxWidths)
        glyphs: list[Any] = []
        for f in frags:
            text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
            glyphs.extend(cjkU(t, f, "utf8") for t in text) if text else glyphs.append(cjkU(text, f, "utf8"))
        if any(not isinstance(g.width, (int, float)) for g in glyphs):
            return super().breakLinesCJK(maxWidths)  # reportlab's own width objects: leave to it
        # a <br/> is a frag with lineBreak: mark it as a hard break after its glyph
        chars = ["\n" if hasattr(g.frag, "lineBreak") else (str(g) or "\u0000") for g in glyphs]
        widths = [0.0 if c == "\n" else float(g.width) for c, g in zip(chars, glyphs, strict=True)]
        calc_bounds = getattr(self, "autoLeading", getattr(self.style, "autoLeading", "")) not in ("", "off")
        lines = []
        start = 0
        for number, end in enumerate(split_widths(chars, widths, list(maxWidths))):
            max_w = maxWidths[min(number, len(maxWidths) - 1)]
            hard = end > start and chars[end - 1] == "\n"
            line = glyphs[start:end]
            used = sum(widths[start:end])
            lines.append(makeCJKParaLine(line, max_w, used, max_w - used, hard, calc_bounds))
            start = end
        return ParaLines(kind=1, lines=lines)
