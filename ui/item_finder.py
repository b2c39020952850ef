"""Find what matters in a long form: a filter and a keyword search above the rubric tree.

A re-check of 29 previously failed items, or the five items the team flagged 待核实, should not be
walked one by one among sixty. The filter shows only the items of one kind (unanswered, deducted,
flagged, differing from the station's self-assessment, failed last time) and the search only the
items whose number, title, method, note or reason contain every word typed; sections and groups
with nothing left to show are hidden. PgDn / PgUp then walk the items shown
(:meth:`ItemFinder.neighbour`). Nothing here changes what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QTreeView, QWidget

from inspector.i18n import _
from ui.item_filters import filters

if TYPE_CHECKING:
    from ui.session import EvaluationSession
    from ui.tree_model import RubricTreeModel


def search_text(s: EvaluationSession, item_id: str) -> str:
    """What a keyword is looked for in: number, title, method, sampling, note and reason."""
    item = s.item(item_id)
    note = (s.payload(item_id) or {}).get("note") or ""
    reason = s.results[item_id].reason or ""
    return "\n".join([item.id, item.text, item.method, item.sampling or "", str(note), reason]).lower()


class _SearchField(QLineEdit):
    """Enter opens the first item found, and goes no further (the page would record and move on)."""

    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.entered.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ItemFinder(QWidget):
    """The filter box and the search field; hides the tree's rows that do not match."""

    changed = Signal()

    def __init__(self, tree: QTreeView) -> None:
        super().__init__()
        self.tree = tree
        self.session: EvaluationSession | None = None
        self.model: RubricTreeModel | None = None
        self.shown: list[str] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        self.kind = QComboBox()
        self.kind.setAccessibleName(_("筛选小项"))
        self._tests = {key: test for key, _label, test in filters()}
        for key, label, _test in filters():
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(lambda _i: self.apply())
        layout.addWidget(self.kind)
        self.search = _SearchField()
        self.search.setPlaceholderText(_("搜索小项：编号、内容、备注"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.apply())
        self.search.entered.connect(self._go_first)
        layout.addWidget(self.search, 1)
        self.count = QLabel()
        self.count.setObjectName("muted")
        layout.addWidget(self.count)
        self.go_to: Callable[[str], object] | None = None  # set by the scoring page

    def set_session(self, session: EvaluationSession, model: RubricTreeModel) -> None:
        self.session, self.model = session, model
        session.changed.connect(lambda _ids: self.apply() if self.active() else None)
        self.apply()

    # -- what is shown ---------------------------------------------------------------------------
    def active(self) -> bool:
        return self.kind.currentData() != "all" or bool(self.search.text().strip())

    def set_filter(self, key: str) -> None:
        index = self.kind.findData(key)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def matches(self, item_id: str) -> bool:
        s = self.session
        assert s is not None
        test = self._tests.get(self.kind.currentData())
        if test is not None and not test(s, item_id):
            return False
        words = self.search.text().lower().split()
        text = search_text(s, item_id) if words else ""
        return all(w in text for w in words)

    def apply(self) -> None:
        s, model = self.session, self.model
        if s is None or model is None:
            return
        active = self.active()
        self.shown = [item.id for item in s.items if not active or self.matches(item.id)]
        keep = set(self.shown)
        root = QModelIndex()
        for srow in range(model.rowCount(root)):
            sindex = model.index(srow, 0, root)
            section_any = False
            for grow in range(model.rowCount(sindex)):
                gindex = model.index(grow, 0, sindex)
                group_any = False
                for irow in range(model.rowCount(gindex)):
                    iindex = model.index(irow, 0, gindex)
                    show = iindex.data(Qt.ItemDataRole.UserRole + 1) in keep
                    self.tree.setRowHidden(irow, gindex, not show)
                    group_any = group_any or show
                self.tree.setRowHidden(grow, sindex, not group_any)
                section_any = section_any or group_any
            self.tree.setRowHidden(srow, root, not section_any)
        if active:
            self.count.setText(_("{n} / {total} 项").format(n=len(self.shown), total=len(s.items)))
        else:
            self.count.setText("")
        self.changed.emit()

    def neighbour(self, item_id: str, step: int) -> str | None:
        """The next (or previous) item shown, in the form's order; None at either end."""
        s = self.session
        if s is None or not self.shown:
            return None
        position = s.position(item_id)
        order = [
            x for x in self.shown if (s.position(x) > position if step > 0 else s.position(x) < position)
        ]
        if not order:
            return None
        return order[0] if step > 0 else order[-1]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _go_first(self) -> None:
        """Enter in the search field: open the first item found."""
        if self.shown and self.go_to is not None:
            self.go_to(self.shown[0])
