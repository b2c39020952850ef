"""The home list: one row per evaluation in the data folder, read on the worker thread.

:func:`load_home_rows` is plain Python (it runs off the GUI thread, on a connection of its own)
and scores every evaluation in one pass over the store's index (``EvaluationStore.totals``).
:class:`EvaluationsModel` shows the rows; :class:`EvaluationsFilter` filters them by phase and a
search text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from inspector.i18n import _
from inspector.store.wording import PHASES, RowWords, kind_label, phase_label, phase_of, row_words
from ui.qt_compat import rows_filter_change

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()

# Phases of the home list and their words: one catalogue with ``inspector eval list``.
ID_ROLE = Qt.ItemDataRole.UserRole + 1
PHASE_ROLE = Qt.ItemDataRole.UserRole + 2
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3
SORT_ROLE = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class HomeRow:
    id: str
    station: str
    rubric_id: str
    rubric_title: str
    kind: str
    visit_date: str | None
    answered: int
    items: int
    conflicts: int
    total: Decimal | None  # None: the scoring engine refuses the marks (no total, no outcome)
    max_points: Decimal
    outcome: str | None
    vetoed: bool
    state: str
    updated_at: str
    resume_at: str | None
    revision: int

    @property
    def phase(self) -> str:
        return phase_of(self.state, self.answered, self.conflicts)

    def words(self) -> RowWords:
        return row_words(
            state=self.state, kind=self.kind, revision=self.revision, answered=self.answered,
            items=self.items, conflicts=self.conflicts, total=self.total, max_points=self.max_points,
            outcome=self.outcome, vetoed=self.vetoed,
        )  # fmt: skip

    def search_text(self) -> str:
        return " ".join(
            [self.station, self.rubric_title, self.rubric_id, self.visit_date or "", self.id,
             kind_label(self.kind), phase_label(self.phase), self.outcome or ""]
        ).casefold()  # fmt: skip


def load_home_rows(progress: Callable[[int, int], None], data: Path, user: str | None) -> list[HomeRow]:
    """Every evaluation with its progress and running score (worker thread, own connection)."""
    from inspector.folder import opened_folder
    from inspector.store.evaluations import EvaluationStore
    from inspector.store.ui_state import current_items

    with opened_folder(data) as db:
        store = EvaluationStore(db, user)
        found = store.list_evaluations()
        progress(0, len(found))
        totals = store.totals(found)
        resume = current_items(db)
        rows = []
        for n, e in enumerate(found, 1):
            t = totals[e.id]
            rubric = store.rubric(e.rubric_id, e.rubric_version)
            outcome = t.outcome.label if t.outcome and e.answered else None
            rows.append(
                HomeRow(
                    id=e.id,
                    station=e.org_name,
                    rubric_id=e.rubric_id,
                    rubric_title=rubric.title,
                    kind=e.kind,
                    visit_date=e.visit_date,
                    answered=e.answered,
                    items=e.items,
                    conflicts=e.conflicts,
                    total=t.total,
                    max_points=t.max_points,
                    outcome=outcome,
                    vetoed=t.vetoed,
                    state=e.state,
                    updated_at=e.updated_at,
                    resume_at=resume.get(e.id),
                    revision=e.revision,
                )
            )
            progress(n, len(found))
        return rows


class EvaluationsModel(QAbstractTableModel):
    COLUMNS = ("station", "rubric", "kind", "date", "progress", "score", "outcome", "phase")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HomeRow] = []

    def set_rows(self, rows: list[HomeRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def headers(self) -> list[str]:
        return [_("机构"), _("评估表"), _("类型"), _("评估日期"), _("进度"), _("得分"), _("结论"), _("状态")]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return None

    def _text(self, r: HomeRow, column: str) -> str:
        if column == "station":
            return r.station
        if column == "rubric":
            return r.rubric_title
        if column == "date":
            return r.visit_date or "—"
        w = r.words()
        return {"kind": w.kind, "progress": w.progress, "score": w.score, "outcome": w.outcome}.get(
            column, w.state
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column)
        if role == ID_ROLE:
            return r.id
        if role == PHASE_ROLE:
            return r.phase
        if role == PROGRESS_ROLE:
            return (r.answered, r.items)
        if role == SORT_ROLE:
            if column == "progress":
                return r.answered / r.items if r.items else 0.0
            if column == "score":
                return float(r.total) if r.total is not None else -1.0
            return self._text(r, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = [r.station, r.rubric_title, _("编号：{id}").format(id=r.id)]
            if r.resume_at:
                tip.append(_("上次停在：{item}").format(item=r.resume_at))
            if r.conflicts:
                tip.append(_("有 {n} 处冲突待解决").format(n=r.conflicts))
            return "\n".join(tip)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("progress", "score"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # red says what is wrong: a veto in the outcome, a conflict in the state (not "已完成" in red)
        alarm = (r.vetoed and column == "outcome") or (r.conflicts and column == "phase")
        if role == Qt.ItemDataRole.ForegroundRole and column in ("outcome", "phase") and alarm:
            return QColor("#b3261e")
        return None


class EvaluationsFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.phase: str | None = None
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_phase(self, phase: str | None) -> None:
        with rows_filter_change(self):
            self.phase = phase

    def set_search(self, text: str) -> None:
        with rows_filter_change(self):
            self.words = text.casefold().split()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, EvaluationsModel)
        r = model.rows[source_row]
        if self.phase is not None and r.phase != self.phase:
            return False
        text = r.search_text()
        return all(w in text for w in self.words)


# the words live in the core (inspector.store.wording); these names are kept for the window's modules
__all__ = [
    "PHASES", "EvaluationsFilter", "EvaluationsModel", "HomeRow", "kind_label", "load_home_rows",
    "phase_label",
]  # fmt: skip
