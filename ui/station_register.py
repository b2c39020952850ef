"""The station's register entry on its home page (issue 19): as the centre sent it, and the
corrections the station proposes to it.

A station cannot change its 登记表 entry: it proposes a new value for one field with its reason
(:func:`inspector.centre.corrections.propose`, the field picker offering only the fields that
function accepts), and the next self-assessment bundle carries the proposals not yet sent (the
export marks them sent in that bundle). The list says, for each, whether it went out and in which
bundle. The centre's decisions do not travel back as such: its next request carries the register
entry as the centre then holds it (authoritative, like an assignment's), which this panel shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# inspector.centre.corrections and .register are imported where they are used: this panel is built
# with the home page, before the window's first paint, and they bring sqlite-utils (and click under
# it) and openpyxl, which the first paint does not need (issue 18, P1)
from inspector.errors import InspectorError
from inspector.i18n import _
from ui.shortcuts import PROPOSE_KEY


def shown_value(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def proposal_state(p: dict[str, Any]) -> str:
    """Not yet sent, or sent in bundle X (a decision, where this folder holds one, first)."""
    if p.get("decision"):
        from inspector.centre.corrections import decision_name

        return decision_name(p["decision"])
    if p.get("sent_bundle"):
        return _("已随数据包 {b} 发出（{day}）").format(b=p["sent_bundle"][:8], day=(p["sent_at"] or "")[:10])
    return _("尚未发出：随下一个自查自评数据包发给中心")


def _station_fields() -> tuple[str, ...]:
    from inspector.centre.register import STATION_FIELDS

    return STATION_FIELDS


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setWordWrap(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setDefaultSectionSize(int(t.fontMetrics().height() * 1.6))  # more rows seen
    return t


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)


class CorrectionDialog(QDialog):
    """One field, its new value, the reason (required); the current value shown beside the picker."""

    def __init__(
        self,
        entry: dict[str, Any],
        submit: Callable[[str, Any, str, str], None],
        parent: QWidget | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.entry = entry
        self.submit = submit  # stores the proposal, or raises the refusal shown in the dialog
        self.setWindowTitle(_("提出登记更正"))
        form = QFormLayout(self)
        from inspector.centre.register import STATION_FIELDS, scalar_field

        self.field = QComboBox()
        for key in STATION_FIELDS:
            self.field.addItem(scalar_field(key).header, key)
        if field is not None and self.field.findData(field) >= 0:
            self.field.setCurrentIndex(self.field.findData(field))
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.value = QLineEdit()
        self.flag = QComboBox()  # a yes/no field: 是 / 否 / blank, not free text
        for text, data in ((_("是"), True), (_("否"), False), (_("（空）"), None)):
            self.flag.addItem(text, data)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("必填：为什么要更正（如：原负责人退休）"))
        self.by = QLineEdit()
        self.message = QLabel()
        self.message.setWordWrap(True)
        for text, widget in (
            (_("项目(&F)"), self.field),
            (_("现登记"), self.current),
            (_("新值(&V)"), self.value),
            (_("新值"), self.flag),
            (_("理由(&R)"), self.reason),
            (_("提出人(&B)"), self.by),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.flag_label = form.labelForField(self.flag)
        self.value_label = form.labelForField(self.value)
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("提出"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.field.currentIndexChanged.connect(lambda _i: self._chosen())
        self._chosen()
        self.resize(self.fontMetrics().horizontalAdvance("M") * 44, self.sizeHint().height())
        self.field.setFocus()

    def key(self) -> str:
        return str(self.field.currentData())

    def is_flag(self) -> bool:
        from inspector.centre.corrections import station_field

        return station_field(self.key()).kind == "bool"

    def _chosen(self) -> None:
        self.current.setText(shown_value(self.entry.get(self.key())))
        flag = self.is_flag()
        for w in (self.flag, self.flag_label):
            if w is not None:
                w.setVisible(flag)
        for w in (self.value, self.value_label):
            if w is not None:
                w.setVisible(not flag)
        self.value.clear()

    def new_value(self) -> Any:
        return self.flag.currentData() if self.is_flag() else self.value.text()

    def _check(self) -> None:
        if not self.reason.text().strip():
            self.message.setText(_("请写明更正理由"))
            self.reason.setFocus()
            return
        if not self.by.text().strip():
            self.message.setText(_("请写明提出人"))
            self.by.setFocus()
            return
        try:
            self.submit(self.key(), self.new_value(), self.reason.text(), self.by.text())
        except InspectorError as e:  # refused (same value, malformed number…): said here, stays open
            self.message.setText(str(e))
            return
        self.accept()


class StationRegister(QWidget):
    """The register entry (left) and the proposals with their state (right), and the button to propose."""

    #: a proposal was stored (its id)
    proposed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db: Any = None
        self.org_id: str | None = None
        self.user: str | None = None
        self.dialog: CorrectionDialog | None = None
        self.current_entry: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.title = QLabel(_("本站登记信息（中心所发）与更正"))
        self.title.setObjectName("sectionTitle")
        bar.addWidget(self.title)
        bar.addStretch(1)
        self.button = QPushButton(_("提出更正…") + f"  ({PROPOSE_KEY})")
        self.button.setToolTip(_("登记信息不能在本站直接修改：提出更正，由中心逐项接受或拒绝"))
        self.button.clicked.connect(lambda: self.ask())
        bar.addWidget(self.button)
        layout.addLayout(bar)
        tables = QHBoxLayout()
        self.entry = _table([_("项目"), _("登记内容")])
        self.entry.activated.connect(lambda index: self.ask(_station_fields()[index.row()]))
        self.entry.setToolTip(_("Enter：对所选项目提出更正"))
        self.proposals = _table([_("项目"), _("原值"), _("新值"), _("理由"), _("状态")])
        tables.addWidget(self.entry, 2)
        tables.addWidget(self.proposals, 3)
        layout.addLayout(tables)
        rows = self.fontMetrics().height() * 11
        self.entry.setMaximumHeight(rows)
        self.proposals.setMaximumHeight(rows)
        self.hide()

    def load(self, db: Any, org_id: str | None, user: str | None) -> None:
        """Show this station's entry and its proposals (hidden in a folder that is not a station's)."""
        self.db, self.org_id, self.user = db, org_id, user
        if db is None or org_id is None:
            self.hide()
            return
        from inspector.centre.corrections import corrections
        from inspector.centre.register import STATION_FIELDS, get_register, scalar_field

        entry = get_register(db, org_id)
        self.current_entry = entry
        self.title.setText(
            _("本站登记信息（中心所发）：{name}（{code}）").format(
                name=entry["name"], code=entry.get("code") or ""
            )
        )
        _fill(self.entry, [[scalar_field(k).header, shown_value(entry.get(k))] for k in STATION_FIELDS])
        own = [p for p in corrections(db, org_id, decided=True) if p["origin"] == "own"]
        _fill(
            self.proposals,
            [
                [p["header"], shown_value(p["old"]), shown_value(p["new"]), p["reason"], proposal_state(p)]
                for p in reversed(own)  # the newest first: what was just proposed is seen
            ],
        )
        self.show()

    def ask(self, field: str | None = None) -> None:
        """The proposal dialog (window-modal, not exec: the window's worker keeps running)."""
        if self.db is None or self.org_id is None:
            return
        if field is None and self.entry.currentRow() >= 0 and self.entry.hasFocus():
            field = _station_fields()[self.entry.currentRow()]
        dialog = CorrectionDialog(self.current_entry, self._propose, self, field)
        dialog.by.setText(self.user or "")
        self.dialog = dialog
        dialog.open()

    def _propose(self, field: str, value: Any, reason: str, by: str) -> None:
        assert self.db is not None and self.org_id is not None
        from inspector.centre.corrections import propose

        p = propose(self.db, self.org_id, field, value, reason, by)
        self.load(self.db, self.org_id, self.user)
        self.proposals.setCurrentCell(0, 0)
        self.proposed.emit(p["id"])
