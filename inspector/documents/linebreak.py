"""Chinese line breaking (避头尾) for every paragraph the documents print.

reportlab's only option is ``wordWrap="CJK"``: it breaks between any two characters and, when the
character that overflows may not begin a line, hangs that one character in the right margin. Its
list of such characters lacks the full-width ，：；？！ (so "，不得分" began a line), a second closing
mark after a hung one still begins the next line, and the rule that a line may not end with an
opening mark (（《“) is not implemented at all (``kinsokuShoriSplit`` is marked "NOT USED OR
FINISHED"). So :class:`~inspector.documents.cjk_paragraph.CJKParagraph` chooses the breaks
itself, by the rule of GB/T 15834 and of every Chinese typesetter (行首禁则 / 行尾禁则): when a
line is full, the break moves back until the next line does not begin with a closing mark and
this line does not end with an opening one; a run of Latin letters and digits (an id, a year,
"SHA-256") is not cut unless it is longer than a line. Nothing hangs into the margin, so the
text stays inside its cell.

This module is the rule alone (no reportlab: the window's tree uses it too);
:mod:`inspector.documents.cjk_paragraph` applies it to reportlab's paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence

_FUZZ = 1e-6  # as reportlab's rl_config._FUZZ: a width that fits up to rounding fits

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
