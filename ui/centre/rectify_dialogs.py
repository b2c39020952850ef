"""Rectification tracking in the results view: send the notice (and print the 整改通知书), link the
re-evaluation, close. Each step is one core call on the worker (inspector/centre/rectifications.py);
the notice PDF is rendered there too (inspector/documents/others.py).

Sending a notice renders the PDF *before* recording it: the renderer refuses an evaluation that
needs no notice, and then nothing is recorded either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.centre.common import today
from inspector.centre.rectifications import Rectification
from inspector.centre.results import PlanResults, RectificationRow
from inspector.fileio import saved_beside_message
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.common import Table, ask_save_path
from ui.centre.plan_dialogs import accepted, buttons, date_edit, iso_of

if TYPE_CHECKING:
    from ui.centre.results_view import ResultsPage


def pdf_kind() -> str:
    return _("PDF 文件 (*.pdf)")


def send_notice_task(
    progress: Callable[[int, int], None],
    data: Path,
    eval_id: str,
    fields: dict[str, Any],
    pdf: Path | None,
    user: str | None,
) -> tuple[Rectification, Path | None]:
    """The notice's PDF first, then the record: a PDF that cannot be written (the last one still
    open in a reader, a full stick) leaves no notice recorded as sent without its document. The
    record refused (a deadline before the notice) takes the new PDF away again."""
    from inspector.centre.rectifications import open_rectification
    from inspector.documents.others import render_document
    from inspector.documents.style import write_pdf
    from inspector.fileio import remove_file
    from inspector.store.evaluations import EvaluationStore

    with opened_folder(data) as db:
        progress(0, 2)
        written = None
        if pdf is not None:
            sent = dt.date.fromisoformat(fields["notice_sent"])
            content = render_document(EvaluationStore(db, user), data, eval_id, "notice", issued=sent)
            written = write_pdf(pdf, content)
        progress(1, 2)
        try:
            rect = open_rectification(db, eval_id, **fields)
        except BaseException:
            if written is not None:
                remove_file(written)
            raise
        progress(2, 2)
        return rect, written


def notice_pdf_task(
    progress: Callable[[int, int], None],
    data: Path,
    eval_id: str,
    issued: str | None,
    pdf: Path,
    user: str | None,
) -> Path:
    from inspector.documents.others import render_document
    from inspector.documents.style import write_pdf
    from inspector.store.evaluations import EvaluationStore

    with opened_folder(data) as db:
        day = dt.date.fromisoformat(issued) if issued else None
        return write_pdf(pdf, render_document(EvaluationStore(db, user), data, eval_id, "notice", issued=day))


@dataclass(frozen=True)
class Candidate:
    eval_id: str
    label: str


def recheck_candidates_task(
    progress: Callable[[int, int], None], data: Path, org_id: str, eval_id: str
) -> list[Candidate]:
    """The evaluations that can be the re-evaluation: same organisation, not a self-assessment."""
    from inspector.store.evaluations import EvaluationStore
    from ui.models.evaluations_model import kind_label

    with opened_folder(data) as db:
        store = EvaluationStore(db)
        found = [
            e for e in store.list_evaluations() if e.org_id == org_id and e.kind != "self" and e.id != eval_id
        ]
        out = []
        for e in found:
            title = store.rubric(e.rubric_id, e.rubric_version).title
            out.append(Candidate(e.id, f"{e.visit_date or '—'}  {kind_label(e.kind)}  {title}"))
        return out


def link_recheck_task(
    progress: Callable[[int, int], None], data: Path, rect_id: str, eval_id: str
) -> Rectification:
    from inspector.centre.rectifications import link_recheck

    with opened_folder(data) as db:
        return link_recheck(db, rect_id, eval_id)


def close_task(
    progress: Callable[[int, int], None], data: Path, rect_id: str, fields: dict[str, Any]
) -> Rectification:
    from inspector.centre.rectifications import close_rectification

    with opened_folder(data) as db:
        return close_rectification(db, rect_id, **fields)


class NoticeDialog(QDialog):
    """The notice's number, day and deadline (a date, N months or N working days after it)."""

    def __init__(
        self, row: RectificationRow, parent: QWidget | None = None, rulebook_months: int | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("下发整改通知：{org}").format(org=row.org_name))
        form = QFormLayout(self)
        self.number = QLineEdit()
        self.number.setPlaceholderText(_("例如：川鉴整〔2026〕5号"))
        self.sent = date_edit(today())
        self.modes = QButtonGroup(self)
        self.by_months = QRadioButton(_("通知后(&M)"))
        self.by_days = QRadioButton(_("通知后(&W)"))
        self.by_date = QRadioButton(_("截止日期(&E)"))
        # the rulebook's term when it has one (重庆 附件6 "整改期为6个月"); else the centre types it
        self.by_rulebook = QRadioButton(
            _("按规则册：通知后 {n} 个月(&R)").format(n=rulebook_months) if rulebook_months else ""
        )
        self.months = QSpinBox()
        self.months.setRange(1, 24)
        self.months.setValue(rulebook_months or 1)
        self.months.setSuffix(_(" 个月"))
        self.days = QSpinBox()
        self.days.setRange(1, 250)
        self.days.setValue(20)
        self.days.setSuffix(_(" 个工作日"))
        self.deadline = date_edit(today() + dt.timedelta(days=90))
        rows = QVBoxLayout()
        if rulebook_months:
            self.modes.addButton(self.by_rulebook)
            rows.addWidget(self.by_rulebook)
        for radio, field in (
            (self.by_months, self.months),
            (self.by_days, self.days),
            (self.by_date, self.deadline),
        ):
            self.modes.addButton(radio)
            line = QHBoxLayout()
            line.addWidget(radio)
            line.addWidget(field, 1)
            rows.addLayout(line)
            radio.toggled.connect(field.setEnabled)
            field.setEnabled(False)
        (self.by_rulebook if rulebook_months else self.by_date).setChecked(True)
        self.pdf = QCheckBox(_("同时生成整改通知书 PDF(&P)"))
        self.pdf.setChecked(True)
        form.addRow(_("通知书编号(&N)："), self.number)
        form.addRow(_("通知日期(&D)："), self.sent)
        form.addRow(_("整改期限："), rows)
        form.addRow("", self.pdf)
        form.addRow(buttons(self, _("下发")))

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"notice_no": self.number.text() or None, "notice_sent": iso_of(self.sent)}
        if self.by_rulebook.isChecked():
            return out  # the core takes the plan's rulebook's term
        if self.by_months.isChecked():
            out["months"] = self.months.value()
        elif self.by_days.isChecked():
            out["working_days"] = self.days.value()
        else:
            out["deadline"] = iso_of(self.deadline)
        return out


class RecheckDialog(QDialog):
    def __init__(
        self, row: RectificationRow, candidates: list[Candidate], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("关联复评：{org}").format(org=row.org_name))
        form = QFormLayout(self)
        self.choice = QComboBox()
        for c in candidates:
            self.choice.addItem(c.label, c.eval_id)
        form.addRow(_("复评(&E)："), self.choice)
        form.addRow(buttons(self, _("关联")))

    def eval_id(self) -> str:
        return str(self.choice.currentData())


class CloseDialog(QDialog):
    def __init__(self, row: RectificationRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("整改结案：{org}").format(org=row.org_name))
        form = QFormLayout(self)
        self.verdict_choice = QComboBox()
        self.verdict_choice.addItem(_("整改合格（须有已签署的复评）"), "passed")
        self.verdict_choice.addItem(_("仍不合格"), "failed")
        self.day = date_edit(today())
        self.note = QLineEdit()
        form.addRow(_("结论(&R)："), self.verdict_choice)
        form.addRow(_("结案日期(&D)："), self.day)
        form.addRow(_("说明(&N)："), self.note)
        form.addRow(buttons(self, _("结案")))

    def fields(self) -> dict[str, Any]:
        return {
            "result": self.verdict_choice.currentData(),
            "closed_on": iso_of(self.day),
            "note": self.note.text() or None,
        }


class RectificationPanel(QWidget):
    """The 整改跟踪 tab: the table and the step that fits the selected row."""

    changed = Signal()

    def __init__(self, page: ResultsPage, table: Table) -> None:
        super().__init__()
        self.page = page
        self.table = table
        self.results: PlanResults | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.notice_button = QPushButton(_("下发整改通知(&O)…"))
        self.pdf_button = QPushButton(_("整改通知书 PDF(&F)…"))
        self.recheck_button = QPushButton(_("关联复评(&L)…"))
        self.close_button = QPushButton(_("结案(&C)…"))
        for b, slot in (
            (self.notice_button, self.send_notice),
            (self.pdf_button, self.print_notice),
            (self.recheck_button, self.link_recheck),
            (self.close_button, self.close_rect),
        ):
            b.clicked.connect(lambda _c=False, slot=slot: slot())
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.explain = QLabel()  # why the buttons are disabled, and when rows appear
        self.explain.setObjectName("hint")
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)
        layout.addWidget(table, 1)
        table.selectionModel().currentRowChanged.connect(lambda *_a: self._enable())
        table.rows_model.modelReset.connect(self._enable)
        self._enable()

    def set_plan(self, results: PlanResults | None) -> None:
        self.results = results
        self._enable()

    def row(self) -> RectificationRow | None:
        row: RectificationRow | None = self.table.current()
        return row

    def _enable(self) -> None:
        r = self.row()
        state = r.state if r else None
        if self.table.rows_model.rowCount() == 0:
            self.explain.setText(
                _(
                    "本计划还没有需要整改的机构。签署后结论为“整改”或“不合格”（含有否决项）的机构会列在这里，"
                    "由此下发整改通知书、关联复评、结案。"
                )
            )
        elif r is None:
            self.explain.setText(_("选择一行：按它的状态可下发整改通知、生成通知书、关联复评或结案。"))
        else:
            self.explain.setText("")
        self.explain.setVisible(bool(self.explain.text()))
        self.notice_button.setEnabled(state == "notice_due")
        self.pdf_button.setEnabled(r is not None)
        self.recheck_button.setEnabled(state in ("open", "overdue"))
        self.close_button.setEnabled(state in ("open", "overdue", "rechecking"))

    def _done(self, message: str) -> Callable[[Any], None]:
        def done(_result: Any) -> None:
            self.page.status.emit(message)
            self.page.reload()
            self.changed.emit()

        return done

    def send_notice(self) -> None:
        r = self.row()
        if r is None or r.state != "notice_due" or self.results is None:
            return
        dialog = NoticeDialog(r, self, self.results.rectification_months)
        if not accepted(dialog):
            return
        fields = {**dialog.fields(), "plan_id": self.results.plan.id}
        pdf = None
        if dialog.pdf.isChecked():
            pdf = ask_save_path(
                self,
                _("保存整改通知书"),
                _("整改通知书 {org}.pdf").format(org=r.org_name),
                pdf_kind(),
                ".pdf",
            )
            if pdf is None:
                return
        org = r.org_name

        def done(result: tuple[Rectification, Path | None]) -> None:
            written = result[1]
            message = _("已下发整改通知：{org}").format(org=org)
            if written is not None:
                message += _("；通知书：{path}").format(path=written)
                if pdf is not None and written != pdf:
                    message += "（" + saved_beside_message(pdf, written) + "）"
            self._done(message)(result)

        self.page.run(
            _("下发整改通知"), send_notice_task, r.eval_id, fields, pdf, self.page.ctx.user, done=done
        )

    def print_notice(self) -> None:
        r = self.row()
        if r is None:
            return
        pdf = ask_save_path(
            self,
            _("保存整改通知书"),
            _("整改通知书 {org}.pdf").format(org=r.org_name),
            pdf_kind(),
            ".pdf",
        )
        if pdf is None:
            return
        self.page.run(
            _("生成整改通知书"),
            notice_pdf_task,
            r.eval_id,
            r.notice_sent,
            pdf,
            self.page.ctx.user,
            done=lambda path: self.page.status.emit(
                _("已生成：{path}").format(path=path) if path == pdf else saved_beside_message(pdf, path)
            ),
        )

    def link_recheck(self) -> None:
        r = self.row()
        if r is None or r.id is None:
            return
        rect_id = r.id

        def chosen(candidates: list[Candidate]) -> None:
            if not candidates:
                self.page.status.emit(_("该机构还没有可作为复评的检查评估"))
                return
            dialog = RecheckDialog(r, candidates, self)
            if accepted(dialog):
                self.page.run(
                    _("关联复评"),
                    link_recheck_task,
                    rect_id,
                    dialog.eval_id(),
                    done=self._done(_("已关联复评：{org}").format(org=r.org_name)),
                )

        self.page.run(_("查找复评"), recheck_candidates_task, r.org_id, r.eval_id, done=chosen)

    def close_rect(self) -> None:
        r = self.row()
        if r is None or r.id is None:
            return
        dialog = CloseDialog(r, self)
        if accepted(dialog):
            self.page.run(
                _("整改结案"),
                close_task,
                r.id,
                dialog.fields(),
                done=self._done(_("已结案：{org}").format(org=r.org_name)),
            )
