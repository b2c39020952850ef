"""督导程序 from the plans page: a target's procedure steps (福建办法 第三章四: 现场考察 → 初步督导意见 →
申辩意见 → 质量督导意见书 → 整改工作报告) with their days, and the next one recorded. The core
(inspector/centre/procedure.py) keeps the order and refuses a day before the previous step's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from inspector.centre.common import today
from inspector.centre.procedure import StepState
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.plan_dialogs import buttons, date_edit, iso_of


def load_steps_task(
    progress: Callable[[int, int], None], data: Path, plan_id: str, org_id: str
) -> list[StepState]:
    from inspector.centre.procedure import target_steps

    with opened_folder(data) as db:
        return target_steps(db, plan_id, org_id)


def record_step_task(
    progress: Callable[[int, int], None],
    data: Path,
    plan_id: str,
    org_id: str,
    step: str,
    day: str,
    note: str | None,
    user: str | None,
) -> list[StepState]:
    from inspector.centre.procedure import record_step

    with opened_folder(data) as db:
        return record_step(db, plan_id, org_id, step, day, note, user)


class StepDialog(QDialog):
    """The steps so far, and the next one's day and note (a document number, the institution's reply)."""

    def __init__(self, org_name: str, steps: list[StepState], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("督导程序：{org}").format(org=org_name))
        form = QFormLayout(self)
        for s in steps:
            said = s.done_on.isoformat() if s.done_on else "—"
            label = QLabel(f"{said}　{s.note or ''}")
            label.setToolTip(s.quote)
            form.addRow(_("{step}：").format(step=s.name), label)
        self.next = next((s for s in steps if s.done_on is None), None)
        self.day = date_edit(today())
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("说明（如文书编号、申辩要点）"))
        self.note.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        if self.next is not None:
            form.addRow(QLabel(_("记录下一步：{step}").format(step=self.next.name)))
            form.addRow(_("日期(&D)："), self.day)
            form.addRow(_("说明(&N)："), self.note)
            form.addRow(buttons(self, _("记录")))
        else:
            form.addRow(QLabel(_("各步骤均已记录。")))
            form.addRow(buttons(self, _("关闭")))

    def choice(self) -> tuple[str, str, str | None] | None:
        if self.next is None:
            return None
        return self.next.name, iso_of(self.day), self.note.text().strip() or None
