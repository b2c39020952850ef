"""An evaluation beside another of the same station on the same form.

Two comparisons the window, the finish page and (later) the reports show:

- the station's self-assessment (自查自评) beside the inspection: the items whose points differ,
  how many, and by how much in all (the difference is itself a finding);
- a re-check beside the previous inspection: for each item that lost points last time, whether
  the problem was rectified (已整改: full marks now) or not (未整改: still short).

Pure: works on two :class:`~inspector.rubric.scoring.Report` values, matches items by id (a newer
version of the form may add or drop items; those are simply not compared).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inspector.rubric.points import ZERO
from inspector.rubric.scoring import ItemResult, Report

RECTIFIED = "rectified"
NOT_RECTIFIED = "not_rectified"


@dataclass(frozen=True)
class ItemComparison:
    """One item's points in this evaluation (``mine``) and in the other one (``theirs``)."""

    item_id: str
    mine: ItemResult
    theirs: ItemResult

    @property
    def comparable(self) -> bool:
        # a mark the form disallows has no points to compare (shown as none: scoring.disallowed)
        disallowed = self.mine.irregular or self.theirs.irregular
        return self.mine.answered and self.theirs.answered and not disallowed

    @property
    def difference(self) -> Decimal | None:
        """Theirs minus mine (a station that scores itself higher gives a positive number)."""
        return self.theirs.points - self.mine.points if self.comparable else None

    @property
    def differs(self) -> bool:
        return self.comparable and self.mine.points != self.theirs.points


@dataclass(frozen=True)
class SelfComparison:
    items: dict[str, ItemComparison]

    @property
    def differing(self) -> tuple[ItemComparison, ...]:
        return tuple(c for c in self.items.values() if c.differs)

    @property
    def compared(self) -> int:
        return sum(1 for c in self.items.values() if c.comparable)

    @property
    def total_difference(self) -> Decimal:
        """Self-score minus inspector's score over the items both have answered."""
        return sum((c.difference or ZERO for c in self.items.values() if c.comparable), ZERO)


def _pairs(report: Report, other: Report) -> dict[str, ItemComparison]:
    theirs = {r.id: r for r in other.items}
    return {r.id: ItemComparison(r.id, r, theirs[r.id]) for r in report.items if r.id in theirs}


def compare_self(report: Report, self_report: Report) -> SelfComparison:
    return SelfComparison(_pairs(report, self_report))


def rectification(previous: ItemResult, now: ItemResult) -> str | None:
    """RECTIFIED, NOT_RECTIFIED, or None when there was nothing to rectify or nothing is known yet."""
    if not previous.answered or previous.points >= previous.max_points or not now.answered:
        return None
    if previous.irregular or now.irregular:  # a mark the form disallows: no points to judge by
        return None
    return RECTIFIED if now.points >= now.max_points else NOT_RECTIFIED


def compare_previous(report: Report, previous: Report) -> dict[str, ItemComparison]:
    """Each item of a re-check beside the previous inspection's result for it."""
    return _pairs(report, previous)
