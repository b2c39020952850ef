"""The small forms of the plans view: a new plan, a target added to a plan. They collect values;
the core checks them (a refused value comes back as one message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from inspector.centre.common import today
from inspector.centre.plans import Plan
from inspector.i18n import _


def date_edit(day: dt.date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def iso_of(edit: QDateEdit) -> str:
    return str(edit.date().toString("yyyy-MM-dd"))


def optional_date(label: str, day: dt.date, checked: bool) -> tuple[QWidget, QCheckBox, QDateEdit]:
    """A date that may be left out: a check box that enables the date beside it."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    check = QCheckBox(label)
    edit = date_edit(day)
    check.setChecked(checked)
    edit.setEnabled(checked)
    check.toggled.connect(edit.setEnabled)
    row.addWidget(check)
    row.addWidget(edit, 1)
    return box, check, edit


def accepted(dialog: QDialog) -> bool:
    """Run a form; the dialog goes once the caller, still in this turn, has read its values."""
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    button.setText(ok)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class NewPlanDialog(QDialog):
    def __init__(
        self,
        rubrics: list[tuple[str, str]],
        parent: QWidget | None = None,
        rulebooks: Sequence[tuple[str, str, tuple[str, ...]]] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("新建督导计划"))
        form = QFormLayout(self)
        self.rubric = QComboBox()
        for rubric_id, title in rubrics:
            self.rubric.addItem(title, rubric_id)
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("例如：2027年上半年职业技能鉴定站检查评估"))
        self.title.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self.kind = QComboBox()
        self.kind.addItem(_("日常督导"), "routine")
        self.kind.addItem(_("专项督导"), "special")
        # the rulebook: by default the one that belongs with the chosen rubric's document
        self.rulebook = QComboBox()
        self.rulebook.addItem(_("按评估表所属文件（默认）"), None)
        for book_id, book_title, _rubrics in rulebooks:
            self.rulebook.addItem(f"{book_title}（{book_id}）", book_id)
        self.region = QLineEdit()
        self.region.setPlaceholderText(_("例如：四川省"))
        day = today()
        first, self.has_starts, self.starts = optional_date(_("开始"), day, True)
        last, self.has_ends, self.ends = optional_date(_("结束"), dt.date(day.year, 12, 31), True)
        form.addRow(_("计划名称(&T)："), self.title)
        form.addRow(_("评估表(&B)："), self.rubric)
        form.addRow(_("督导类型(&K)："), self.kind)
        form.addRow(_("规则册(&R)："), self.rulebook)
        form.addRow(_("地区(&G)："), self.region)
        form.addRow(_("期间："), first)
        form.addRow("", last)
        form.addRow(buttons(self, _("新建")))

    def fields(self) -> dict[str, Any]:
        return {
            "rubric_id": self.rubric.currentData(),
            "title": self.title.text(),
            "kind": self.kind.currentData(),
            "region": self.region.text() or None,
            "starts": iso_of(self.starts) if self.has_starts.isChecked() else None,
            "ends": iso_of(self.ends) if self.has_ends.isChecked() else None,
            "rulebook": self.rulebook.currentData(),
        }


class MilestoneDialog(QDialog):
    """Which stage of the plan's timetable was reached, and on which day."""

    def __init__(self, milestones: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("记录阶段完成"))
        form = QFormLayout(self)
        self.stage = QComboBox()
        for m in milestones:
            self.stage.addItem(_("{name}（{due} 前）").format(name=m.name, due=m.due.isoformat()), m.name)
        self.day = date_edit(today())
        form.addRow(_("阶段(&S)："), self.stage)
        form.addRow(_("完成日期(&D)："), self.day)
        form.addRow(buttons(self, _("记录")))

    def choice(self) -> tuple[str, str]:
        return self.stage.currentData(), iso_of(self.day)


class AddTargetDialog(QDialog):
    def __init__(
        self, plan: Plan, orgs: list[tuple[str, str, str | None]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("添加督导对象"))
        form = QFormLayout(self)
        self.org = QComboBox()
        self.org.setEditable(True)  # type to find among hundreds of organisations
        self.org.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for org_id, name, code in sorted(orgs, key=lambda o: o[1]):
            self.org.addItem(f"{name}（{code}）" if code else name, org_id)
        self.org.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        start = plan.starts or today()
        day = max(start, min(today(), plan.ends or today()))
        box, self.has_day, self.day = optional_date(_("指定督导日期"), day, False)
        if plan.starts:
            self.day.setMinimumDate(QDate(plan.starts.year, plan.starts.month, plan.starts.day))
        if plan.ends:
            self.day.setMaximumDate(QDate(plan.ends.year, plan.ends.month, plan.ends.day))
        form.addRow(_("机构(&O)："), self.org)
        form.addRow(_("日期："), box)
        form.addRow(buttons(self, _("添加")))

    def choice(self) -> tuple[str, str | None]:
        return self.org.currentData(), iso_of(self.day) if self.has_day.isChecked() else None
