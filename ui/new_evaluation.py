"""新建评估 from the window: an inspection, a re-check, or a station's own 自查自评.

A station has no centre to send it an assignment: its quality officer opens the program, picks
the form its province uses and the station (or types the station's name once), and starts its
self-assessment. An inspector can also start a visit that did not come in a bundle. The same
core calls as ``inspector org add`` and ``inspector eval new``; a refused input (a duplicate
code, an unknown form) is one message and nothing is created.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from inspector.centre.unscored import new_evaluation
from inspector.errors import InspectorError, UsageError
from inspector.i18n import _
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.orgs import add_org, list_orgs
from inspector.store.rubrics import list_rubrics

NEW_ORG = "__new__"


def kinds() -> list[tuple[str, str]]:
    return [("inspection", _("检查评估")), ("self", _("本站自查自评")), ("recheck", _("复查"))]


class NewEvaluationDialog(QDialog):
    """Kind, form, station (or a new one), date; :meth:`make` makes it."""

    def __init__(
        self, store: EvaluationStore, parent: QWidget | None = None, kind: str = "inspection"
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(_("新建评估"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 42)
        form = QFormLayout(self)
        self.kind = QComboBox()
        for key, label in kinds():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        form.addRow(_("类型"), self.kind)
        self.rubric = QComboBox()
        latest: dict[str, Any] = {}
        for r in list_rubrics(store.db):  # by id and version: the last one is the newest
            latest[r.id] = r
        for r in latest.values():
            self.rubric.addItem(f"{r.title}（{r.year}）" if r.year else r.title, r.id)
            tip = f"{r.issuer} {r.document}"
            self.rubric.setItemData(self.rubric.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        form.addRow(_("评估表"), self.rubric)
        self.org = QComboBox()
        self.org.setEditable(False)
        for o in list_orgs(store.db):
            self.org.addItem(o["name"] + (f"（{o['code']}）" if o.get("code") else ""), o["id"])
        self.org.addItem(_("新机构…"), NEW_ORG)
        self.org.currentIndexChanged.connect(lambda _i: self._org_changed())
        form.addRow(_("机构"), self.org)
        self.org_name = QLineEdit()
        self.org_name.setPlaceholderText(_("机构全称，如：某某职业技能鉴定站"))
        self.org_code = QLineEdit()
        self.org_code.setPlaceholderText(_("统一社会信用代码（可不填）"))
        form.addRow(_("机构名称"), self.org_name)
        form.addRow(_("机构代码"), self.org_code)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        form.addRow(_("评估日期"), self.date)
        hint = QLabel(_("评估组及分工可在打开后用“评估组分工”填写。"))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("新建并打开"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._form = form
        self.created: Evaluation | None = None
        if self.org.count() == 1:  # no station registered yet: straight to typing its name
            self.org.setCurrentIndex(0)
        self._org_changed()

    def _org_changed(self) -> None:
        new = self.org.currentData() == NEW_ORG
        for field in (self.org_name, self.org_code):
            field.setVisible(new)
            label = self._form.labelForField(field)
            if label is not None:
                label.setVisible(new)

    def _accept(self) -> None:
        try:
            self.created = self.make()
        except InspectorError as e:
            self.error.setText("⚠ " + str(e))
            return
        self.accept()

    def make(self) -> Evaluation:
        """Make the evaluation (and the station, if new); raises on a refused input."""
        if self.rubric.currentData() is None:
            raise UsageError(_("没有可用的评估表"))
        org_id = self.org.currentData()
        if org_id == NEW_ORG:
            if not self.org_name.text().strip():
                raise UsageError(_("请填写机构名称"))
            org_id = add_org(self.store.db, self.org_name.text(), self.org_code.text())["id"]
        return new_evaluation(  # refuses an applicant its form reviews without scoring (重庆 用人单位)
            self.store,
            str(self.rubric.currentData()),
            str(org_id),
            str(self.kind.currentData()),
            visit_date=self.date.date().toString("yyyy-MM-dd"),
        )
