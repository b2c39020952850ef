"""Dividing the sections among the team: who scores which 大项 (each on their own laptop; the
bundles merge their parts later). Saved with ``store.set_meta(eval_id, team=[…])``.

Members are picked from the roster where this folder has one (the centre's, or a laptop that
received it): a name picked carries its person id, so the results and the reviews find the
person; a name can still be typed (a station's own self-assessment has no roster)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from inspector.rubric.model import Rubric


class TeamDialog(QDialog):
    def __init__(
        self,
        rubric: Rubric,
        team: list[dict[str, Any]],
        parent: QWidget | None = None,
        roster: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("评估组分工"))
        self.rubric = rubric
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("评估组成员")))
        self.members = QTableWidget(0, 2)
        self.members.setHorizontalHeaderLabels([_("姓名"), _("角色")])
        self.members.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.members.verticalHeader().hide()
        self.members.itemChanged.connect(lambda _i: self._rebuild_grid())
        layout.addWidget(self.members)
        buttons = QHBoxLayout()
        self.roster = QComboBox()
        self.roster.setAccessibleName(_("从名册添加"))
        self.roster.addItem(_("从督导员名册添加…"), None)
        for person_id, name in roster:
            self.roster.addItem(name, person_id)
        self.roster.activated.connect(self._pick)
        self.roster.setVisible(bool(roster))
        buttons.addWidget(self.roster)
        add = QPushButton(_("添加成员（输入姓名）"))
        add.clicked.connect(self._add_member)
        buttons.addWidget(add)
        remove = QPushButton(_("删除所选成员"))
        remove.clicked.connect(self._remove_member)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel(_("各大项由谁负责（可多人）：空格键勾选")))
        self.grid = QTableWidget(len(rubric.sections), 0)
        self.grid.setVerticalHeaderLabels([f"{s.code} {s.title}" for s in rubric.sections])
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.grid, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self._owned: dict[int, set[str]] = {}
        self.members.blockSignals(True)
        for n, m in enumerate(team):
            self._append(str(m.get("name", "")), str(m.get("role", "")), m.get("person_id"))
            self._owned[n] = set(m.get("sections", []))
        self.members.blockSignals(False)
        self._rebuild_grid()
        fm = self.fontMetrics()
        self._fit_members()
        self.resize(fm.horizontalAdvance("M") * 60, fm.height() * 36)

    def _fit_members(self) -> None:
        """Tall enough for every member and one more (it showed three and a half rows)."""
        rows = max(4, self.members.rowCount() + 1)
        height = self.members.horizontalHeader().sizeHint().height() + 2 * self.members.frameWidth()
        height += rows * self.members.verticalHeader().defaultSectionSize()
        self.members.setMinimumHeight(height)

    def _pick(self, index: int) -> None:
        person_id = self.roster.itemData(index)
        if person_id is None:
            return
        self.roster.setCurrentIndex(0)
        for row in range(self.members.rowCount()):
            cell = self.members.item(row, 0)
            if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == person_id:
                return  # already in the team
        self._capture()
        self.members.blockSignals(True)
        role = _("组长") if self.members.rowCount() == 0 else _("组员")
        self._append(self.roster.itemText(index), role, person_id)
        self.members.blockSignals(False)
        self._rebuild_grid()
        self._fit_members()

    def _append(self, name: str, role: str, person_id: str | None = None) -> None:
        row = self.members.rowCount()
        self.members.insertRow(row)
        cell = QTableWidgetItem(name)
        if person_id:
            cell.setData(Qt.ItemDataRole.UserRole, person_id)
        self.members.setItem(row, 0, cell)
        self.members.setItem(row, 1, QTableWidgetItem(role))

    def _add_member(self) -> None:
        self._capture()
        self.members.blockSignals(True)
        self._append("", _("组员"))
        self.members.blockSignals(False)
        self._rebuild_grid()
        self._fit_members()
        self.members.setCurrentCell(self.members.rowCount() - 1, 0)
        cell = self.members.item(self.members.rowCount() - 1, 0)
        if cell is not None:
            self.members.editItem(cell)

    def _remove_member(self) -> None:
        row = self.members.currentRow()
        if row < 0:
            return
        self._capture()
        self.members.removeRow(row)
        self._owned = {(k if k < row else k - 1): v for k, v in self._owned.items() if k != row}
        self._rebuild_grid()

    def _names(self) -> list[str]:
        out = []
        for row in range(self.members.rowCount()):
            item = self.members.item(row, 0)
            out.append(item.text().strip() if item else "")
        return out

    def _capture(self) -> None:
        """Remember the ticks before the grid is rebuilt (a member added, removed or renamed)."""
        for col in range(self.grid.columnCount()):
            owned = set()
            for row, section in enumerate(self.rubric.sections):
                cell = self.grid.item(row, col)
                if cell is not None and cell.checkState() == Qt.CheckState.Checked:
                    owned.add(section.code)
            self._owned[col] = owned

    def _rebuild_grid(self) -> None:
        if self.grid.columnCount():
            self._capture()
        names = self._names()
        self.grid.setColumnCount(len(names))
        self.grid.setHorizontalHeaderLabels([n or _("（未命名）") for n in names])
        for col in range(len(names)):
            for row, section in enumerate(self.rubric.sections):
                cell = QTableWidgetItem()
                cell.setFlags(
                    Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                )
                owned = section.code in self._owned.get(col, set())
                cell.setCheckState(Qt.CheckState.Checked if owned else Qt.CheckState.Unchecked)
                self.grid.setItem(row, col, cell)

    def team(self) -> list[dict[str, Any]]:
        self._capture()
        out = []
        for n in range(self.members.rowCount()):
            name_item = self.members.item(n, 0)
            role_item = self.members.item(n, 1)
            name = name_item.text().strip() if name_item else ""
            if not name:
                continue
            sections = [s.code for s in self.rubric.sections if s.code in self._owned.get(n, set())]
            member: dict[str, Any] = {"name": name, "sections": sections}
            role = role_item.text().strip() if role_item else ""
            if role:
                member["role"] = role
            person_id = name_item.data(Qt.ItemDataRole.UserRole) if name_item else None
            if person_id:
                member["person_id"] = person_id
            out.append(member)
        return out
