"""A table whose label cells span their rows, as on the official forms, and still break across pages.

reportlab's ``Table`` draws a ``SPAN`` fine but refuses to break a page inside one: a 大项 with a
dozen 小项 is a single unbreakable block, and one taller than a page cannot be laid out at all.
:class:`MergedTable` keeps the rows as data and builds a reportlab table for each page's share:
it breaks between any two rows, closes the spans at the break, and starts the next page's spans
with the label again, marked "（续）" — what a clerk does when a paper form runs over a page.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.platypus import Flowable, Table, TableStyle


@dataclass(frozen=True)
class Row:
    """One table row.

    ``merge`` maps a column to a key: consecutive rows with equal keys in that column become one
    spanned cell showing the first row's content. ``continued`` is the content shown instead when
    such a block resumes at the top of a page, or a function that makes it (called only then: a
    long table need not make a continuation for every row). ``hspan`` lists (first, last) columns merged
    within this row. ``commands`` are table-style commands whose row numbers count from this row.
    ``keep_with_next``: never the last row of a page (a caption such as the form's "表2-2").
    """

    cells: Sequence[Any]
    merge: Mapping[int, Hashable] = field(default_factory=dict)
    continued: Mapping[int, Any] = field(default_factory=dict)
    hspan: Sequence[tuple[int, int]] = ()
    commands: Sequence[tuple[Any, ...]] = ()
    keep_with_next: bool = False


class MergedTable(Flowable):  # type: ignore[misc]
    """Header rows repeated on each page, body rows with vertical spans that break cleanly."""

    def __init__(
        self,
        header: Sequence[Row],
        rows: Sequence[Row],
        col_widths: Sequence[float],
        style: Sequence[tuple[Any, ...]],
        *,
        before: Row | None = None,
    ) -> None:
        super().__init__()
        self.header = list(header)
        self.rows = list(rows)
        self.col_widths = list(col_widths)
        self.style = list(style)
        self.before = before  # the row just above this part (on the previous page), if any
        self._table: Table | None = None
        self._measured: tuple[float, float, float, float] | None = None  # avail w, h → w, h

    # -- building one reportlab table ------------------------------------------------------------
    def _build(self) -> Table:
        data: list[list[Any]] = []
        cmds: list[tuple[Any, ...]] = list(self.style)
        for r, row in enumerate(self.header):
            data.append(list(row.cells))
            cmds += _shift(row, r)
        nh = len(self.header)
        body = self.rows
        for i, row in enumerate(body):
            cells = list(row.cells)
            above = body[i - 1] if i else self.before
            for col, key in row.merge.items():
                if key is None:
                    continue
                if above is not None and above.merge.get(col) == key:
                    if i:  # inside a block: the first row of the block shows the label
                        cells[col] = ""
                    elif col in row.continued:  # a block resuming at the top of a page
                        made = row.continued[col]
                        cells[col] = made() if callable(made) else made
            data.append(cells)
            cmds += _shift(row, nh + i)
        for col in sorted({c for row in body for c in row.merge}):
            start = 0
            for i in range(1, len(body) + 1):
                same = (
                    i < len(body)
                    and _key(body[i], col) is not None
                    and _key(body[i], col) == _key(body[start], col)
                )
                if not same:
                    if i - 1 > start:
                        cmds.append(("SPAN", (col, nh + start), (col, nh + i - 1)))
                    start = i
        table = Table(data, colWidths=self.col_widths, repeatRows=0)
        table.setStyle(TableStyle(cmds))
        return table

    def _get(self) -> Table:
        if self._table is None:
            self._table = self._build()
        return self._table

    # -- the flowable protocol ---------------------------------------------------------------------
    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        # Measuring wraps every paragraph; the frame asks again (wrap, split, wrap the part that
        # fits) with the same width, so a measure that fitted, or this very call, is reused.
        m = self._measured
        if m is not None and m[0] == avail_w and (m[1] == avail_h or m[3] <= min(avail_h, m[1])):
            return m[2], m[3]
        w, h = self._get().wrap(avail_w, avail_h)
        self.width, self.height = w, h
        self._measured = (avail_w, avail_h, w, h)
        return w, h

    def draw(self) -> None:
        self._get().drawOn(self.canv, 0, 0)

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        table = self._get()
        _w, h = self.wrap(avail_w, avail_h)
        if h <= avail_h or not self.rows:
            return [self]
        heights = table._rowHeights
        room = avail_h - sum(heights[: len(self.header)])
        n = used = 0
        for rh in heights[len(self.header) :]:
            if rh is None or used + rh > room:  # None: not measured, past the page (long tables)
                break
            used += rh
            n += 1
        while n > 0 and self.rows[n - 1].keep_with_next:
            n -= 1
        # A part's own spans may need more height than the full table gave those rows (a long
        # label over fewer rows): measure the part and give back rows until it fits.
        while n > 0:
            first = MergedTable(self.header, self.rows[:n], self.col_widths, self.style, before=self.before)
            if first.wrap(avail_w, avail_h)[1] <= avail_h:
                rest = MergedTable(
                    self.header, self.rows[n:], self.col_widths, self.style, before=self.rows[n - 1]
                )
                return [first, rest]
            n -= 1
            while n > 0 and self.rows[n - 1].keep_with_next:
                n -= 1
        return []


def _key(row: Row, col: int) -> Hashable | None:
    return row.merge.get(col)


def _shift(row: Row, r: int) -> list[tuple[Any, ...]]:
    """The row's own style commands and horizontal spans, moved to table row ``r``."""
    out: list[tuple[Any, ...]] = [("SPAN", (a, r), (b, r)) for a, b in row.hspan]
    for cmd in row.commands:
        name, (c0, r0), (c1, r1), *rest = cmd
        out.append((name, (c0, r + r0), (c1, r + r1), *rest))
    return out
