"""The 审核意见 of an applicant reviewed without scoring (重庆 延续备案通知 三（二）1: 用人单位), from the
results desk: the outcome in the notice's words, the opinion, the day; recorded by the core
(inspector/centre/reviews.py) on the worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from inspector.centre.applicants import review_outcome_names
from inspector.centre.common import today
from inspector.centre.results import TargetResult
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.plan_dialogs import buttons, date_edit, iso_of


def record_review_task(
    progress: Callable[[int, int], None],
    data: Path,
    plan_id: str,
    org_id: str,
    fields: dict[str, Any],
    user: str | None,
) -> Any:
    from inspector.centre.reviews import record_review

    with opened_folder(data) as db:
        return record_review(db, plan_id, org_id, by=user, **fields)


class ReviewDialog(QDialog):
    def __init__(self, row: TargetResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("审核意见：{org}").format(org=row.org_name))
        form = QFormLayout(self)
        note = QLabel(
            _("用人单位评价机构只审核、不评分：收到申报材料后10个工作日内提出审核意见（三（二）1）。")
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.outcome = QComboBox()
        for code, label in review_outcome_names().items():
            self.outcome.addItem(label, code)
        if row.outcome_code:
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(row.outcome_code)))
        self.opinion = QLineEdit(row.review_opinion or "")
        self.opinion.setPlaceholderText(_("不符合的须写明理由"))
        self.opinion.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 28)
        self.day = date_edit(today())
        form.addRow(_("审核结论(&R)："), self.outcome)
        form.addRow(_("审核意见(&O)："), self.opinion)
        form.addRow(_("审核日期(&D)："), self.day)
        form.addRow(buttons(self, _("记录")))

    def fields(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.currentData(),
            "opinion": self.opinion.text() or None,
            "reviewed_on": iso_of(self.day),
        }
