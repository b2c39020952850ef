"""Beside the item: the running total, the outcome it would have now, the vetoes, and the
comparisons with the station's self-assessment and the previous inspection."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from inspector.rubric.comparison import NOT_RECTIFIED, RECTIFIED
from inspector.rubric.points import fmt
from inspector.rubric.scoring import disallowed
from ui.disallowed import DisallowedBox
from ui.session import EvaluationSession
from ui.shortcuts import guard_text_fields

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


def set_shown(widget: QWidget, visible: bool) -> None:
    """Show or hide only on a change: each real change relayouts the panel."""
    if widget.isHidden() == visible:
        widget.setVisible(visible)


class ThinBar(QWidget):
    """Progress as a thin bar with the words beside it (QProgressBar repaints at once on every
    setValue, which costs milliseconds on each mark)."""

    def __init__(self) -> None:
        super().__init__()
        self.done = 0
        self.total = 0
        self.setMinimumHeight(max(4, self.fontMetrics().height() // 3))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_progress(self, done: int, total: int) -> None:
        if (done, total) != (self.done, self.total):
            self.done, self.total = done, total
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, QColor("#dadce0"))
        if self.total:
            colour = QColor("#1b6e20") if self.done >= self.total else QColor("#1a73e8")
            painter.fillRect(0, 0, rect.width() * self.done // self.total, rect.height(), colour)
        painter.end()


def _list() -> QListWidget:
    """A list as wide as the panel: long item texts end in "…" (the tooltip has them whole)."""
    widget = QListWidget()
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    widget.setUniformItemSizes(True)
    return widget


def _wrapped(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class VetoDialog(QDialog):
    """A veto fails the station whatever its score: it is confirmed, with the fact found."""

    def __init__(
        self, parent: QWidget | None, veto_id: str, text: str, note: str = "", outcome: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("确认否决项"))
        layout = QVBoxLayout(self)
        warning = _wrapped(
            _("勾选否决项 {id}“{text}”后，无论得分多少，本评估的结论都将是：{outcome}。").format(
                id=veto_id, text=text, outcome=outcome or _("否决")
            )
        )
        warning.setStyleSheet("color: #b3261e; font-weight: bold;")
        layout.addWidget(warning)
        layout.addWidget(_wrapped(_("发现的情况（必填，将记入评估和评分表）：")))
        self.note = QLineEdit(note)
        self.note.setPlaceholderText(_("例如：超出备案职业范围组织鉴定2批次"))
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("确认否决"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.note.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        ok.setEnabled(bool(note.strip()))

    def accept(self) -> None:
        if self.note.text().strip():  # Enter in an empty note does not confirm
            super().accept()


def confirm_veto(parent: QWidget, veto_id: str, text: str, note: str, outcome: str = "") -> str | None:
    """Ask for confirmation and the note; the note, or None when the inspector did not confirm."""
    dialog = VetoDialog(parent, veto_id, text, note, outcome)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.note.text().strip()


class VetoRow(QWidget):
    """One veto condition: found or not, and (once found) a note saying what was found.

    Marking it found asks for a confirmation and the note (:func:`confirm_veto`): one Space press
    no longer fails a station. The note is recorded when the field is left (Enter, Tab), never by
    a timer, and a found veto's note cannot be emptied.
    """

    changed = Signal(str, bool, str)

    def __init__(self, veto_id: str, text: str, outcome: str = "") -> None:
        super().__init__()
        self.veto_id = veto_id
        self.veto_text = text
        self.outcome = outcome  # the form's own word for a vetoed station
        self.recorded_note = ""
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        self.box = QCheckBox(veto_id)
        self.box.setToolTip(text)
        self.box.setAccessibleDescription(text)
        layout.addWidget(self.box, 0, 0, Qt.AlignmentFlag.AlignTop)
        self.text = _wrapped(text)
        self.text.setBuddy(self.box)
        layout.addWidget(self.text, 0, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("发现的情况"))
        layout.addWidget(self.note, 1, 1)
        layout.setColumnStretch(1, 1)
        self.box.toggled.connect(self._toggled)
        self.note.editingFinished.connect(self._note_done)

    def _toggled(self, on: bool) -> None:
        if on:
            note = confirm_veto(self, self.veto_id, self.veto_text, self.note.text().strip(), self.outcome)
            if note is None:  # not confirmed: nothing changes
                self.box.blockSignals(True)
                self.box.setChecked(False)
                self.box.blockSignals(False)
                return
            self.note.setText(note)
        set_shown(self.note, on or bool(self.note.text()))
        self._emit()

    def _note_done(self) -> None:
        note = self.note.text().strip()
        if note == self.recorded_note:
            return
        if self.box.isChecked() and not note:
            self.note.setText(self.recorded_note)  # a found veto keeps saying what was found
            return
        self._emit()

    def _emit(self) -> None:
        self.changed.emit(self.veto_id, self.box.isChecked(), self.note.text().strip())

    def show_state(self, found: bool, note: str, read_only: bool) -> None:
        self.box.blockSignals(True)
        self.box.setChecked(found)
        self.box.blockSignals(False)
        self.recorded_note = note
        if not self.note.hasFocus():
            self.note.setText(note)
        set_shown(self.note, found or bool(self.note.text()))
        self.box.setEnabled(not read_only)
        self.note.setReadOnly(read_only)
        self.text.setStyleSheet("color: #b3261e; font-weight: bold;" if found else "")


class SidePanel(QWidget):
    jump = Signal(str)
    veto = Signal(str, bool, str)

    def __init__(self, session: EvaluationSession) -> None:
        super().__init__()
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        totals = QGroupBox(_("总分"))
        t = QVBoxLayout(totals)
        self.total = QLabel()
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.total.setFont(big)
        t.addWidget(self.total)
        self.bonus = _wrapped()
        t.addWidget(self.bonus)
        self.progress = ThinBar()
        t.addWidget(self.progress)
        self.progress_text = _wrapped()
        t.addWidget(self.progress_text)
        self.outcome = _wrapped()
        bold = QFont(self.font())
        bold.setBold(True)
        self.outcome.setFont(bold)
        t.addWidget(self.outcome)
        self.outcome_note = _wrapped(name="hint")
        t.addWidget(self.outcome_note)
        layout.addWidget(totals)

        self.disallowed_box = DisallowedBox(session)
        layout.addWidget(self.disallowed_box)

        self.vetoes_box = QGroupBox(_("否决项（Ctrl+Shift+V）"))
        v = QVBoxLayout(self.vetoes_box)
        self.veto_rows: dict[str, VetoRow] = {}
        rubric = session.rubric
        vetoed = rubric.outcome_for(rubric.max_points, True) if rubric.veto_outcome else None
        for veto in rubric.vetoes:
            row = VetoRow(veto.id, veto.text, vetoed.label if vetoed else "")
            row.changed.connect(self.veto.emit)
            self.veto_rows[veto.id] = row
            v.addWidget(row)
        set_shown(self.vetoes_box, bool(session.rubric.vetoes))
        layout.addWidget(self.vetoes_box)

        self.self_box = QGroupBox(_("自评对照（Ctrl+Shift+D）"))
        sv = QVBoxLayout(self.self_box)
        self.self_summary = _wrapped()
        sv.addWidget(self.self_summary)
        self.self_list = _list()
        self.self_list.itemActivated.connect(lambda it: self.jump.emit(it.data(ITEM_ROLE)))
        sv.addWidget(self.self_list)
        layout.addWidget(self.self_box)

        self.previous_box = QGroupBox(_("复查：与上次评估对照"))
        pv = QVBoxLayout(self.previous_box)
        self.previous_summary = _wrapped()
        pv.addWidget(self.previous_summary)
        self.previous_list = _list()
        self.previous_list.itemActivated.connect(lambda it: self.jump.emit(it.data(ITEM_ROLE)))
        pv.addWidget(self.previous_list)
        layout.addWidget(self.previous_box)
        layout.addStretch(1)
        self.show_self = True
        guard_text_fields(self)
        session.changed.connect(lambda _ids: self.refresh())
        self.refresh()

    def set_show_self(self, show: bool) -> None:
        self.show_self = show
        set_shown(self.self_box, show and self.session.self_comparison is not None)

    def focus_vetoes(self) -> None:
        rows = list(self.veto_rows.values())
        if rows and rows[0].box.isEnabled():
            rows[0].box.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def refresh(self) -> None:
        s = self.session
        report = s.report
        rubric = s.rubric
        conflicts = s.conflicted()
        provisional = bool(report.unanswered or conflicts)
        total = f"{fmt(report.total)} / {fmt(rubric.max_points)}"
        if not rubric.scored:
            total = _("记录表")
        elif provisional:  # not a score anyone may read as final
            total = _("暂计 {total}").format(total=total)
        if s.refused is not None:  # what signing refuses is no total here either (scoring.disallowed)
            total = _("无总分")
        self.total.setText(total)
        set_shown(self.bonus, bool(rubric.bonus_points))
        self.bonus.setText(_("其中加分 {b} / {m} 分").format(b=fmt(report.bonus), m=fmt(rubric.bonus_points)))
        answered = len(report.items) - len(report.unanswered)
        self.progress.set_progress(answered, len(report.items))
        self.progress_text.setText(_("已评 {n} / {total} 项").format(n=answered, total=len(report.items)))
        text, _final = s.outcome_text()
        if s.refused is not None:
            self.outcome.setText(text)
            self.outcome.setStyleSheet("color: #b3261e;")
        elif report.outcome is not None:
            prefix = "⊗ " if report.vetoed else ""
            self.outcome.setText(prefix + _("当前结论：{label}").format(label=text))
            self.outcome.setStyleSheet("color: #b3261e;" if report.vetoed else "")
        else:
            self.outcome.setText(text)
        notes = []
        if s.refused is not None:
            notes.append(_("评估表不允许的记录：{why}").format(why=s.refused))
        if report.vetoed:
            notes.append(_("已勾选否决项：{ids}").format(ids="、".join(v.id for v in report.vetoed)))
        if report.unanswered and rubric.scored:
            notes.append(
                _("尚有 {n} 项未评：暂计分数只含已评项，不是评估结果").format(n=len(report.unanswered))
            )
        if conflicts:
            notes.append(
                _("{n} 项评估组冲突未解决（{ids}）：暂计分数按各项最新的值计算").format(
                    n=len(conflicts), ids="、".join(conflicts[:5]) + ("…" if len(conflicts) > 5 else "")
                )
            )
        if not rubric.scored:
            failed = [r.id for r in report.items if r.answered and r.reason]
            notes.append(
                _("不符合 {n} 项").format(n=len(failed)) + (f"：{'、'.join(failed)}" if failed else "")
            )
        self.outcome_note.setText("\n".join(notes))
        set_shown(self.outcome_note, bool(notes))
        for veto_id, row in self.veto_rows.items():
            found, note = s.veto(veto_id)
            row.show_state(found, note, s.read_only)
        self.disallowed_box.refresh()
        self._refresh_self()
        self._refresh_previous()

    def _refresh_self(self) -> None:
        s = self.session
        c = s.self_comparison
        set_shown(self.self_box, c is not None and self.show_self)
        if c is None or s.self_eval is None or s.self_report is None:
            return
        diff = c.total_difference
        refused = s.refused is not None or disallowed(s.self_report) is not None
        summary = (
            _("自评（{date}）：有评估表不允许的记录，不比较总分。已对照 {n} 项，{k} 项不同。").format(
                date=s.self_eval.visit_date or "—", n=c.compared, k=len(c.differing)
            )
            if refused  # no total where signing would refuse one (scoring.disallowed)
            else _(
                "自评（{date}）{self_total} 分，督导 {total} 分。已对照 {n} 项，{k} 项不同，合计相差 {d} 分。"
            ).format(
                date=s.self_eval.visit_date or "—",
                self_total=fmt(s.self_report.total),
                total=fmt(s.report.total),
                n=c.compared,
                k=len(c.differing),
                d=f"{'+' if diff > 0 else ''}{fmt(diff)}",
            )
        )
        self.self_summary.setText(
            summary
            + " "
            + (
                _("（鉴定站签署：{who}）").format(who=s.self_signed_by)
                if s.self_signed_by is not None
                else _("（中心录入，非鉴定站签署）")
            )
        )
        self.self_list.clear()
        for d in c.differing:
            delta = d.difference
            assert delta is not None
            scores = _("自评 {a} / 督导 {b}").format(a=fmt(d.theirs.points), b=fmt(d.mine.points))
            item = QListWidgetItem(f"≠ {d.item_id}  {scores}  {s.item(d.item_id).text}")
            item.setToolTip(f"{d.item_id} {s.item(d.item_id).text}\n{scores}")
            item.setData(ITEM_ROLE, d.item_id)
            self.self_list.addItem(item)
        set_shown(self.self_list, bool(c.differing))

    def _refresh_previous(self) -> None:
        s = self.session
        set_shown(self.previous_box, s.previous_report is not None)
        if s.previous_report is None or s.previous is None:
            return
        rows = [(i, s.rectified(i)) for i in s.previous_comparison]
        done = [i for i, r in rows if r == RECTIFIED]
        not_done = [i for i, r in rows if r == NOT_RECTIFIED]
        lost_before = sum(
            1
            for c in s.previous_comparison.values()
            if c.theirs.answered and c.theirs.points < c.theirs.max_points
        )
        self.previous_summary.setText(
            _(
                "上次评估（{date}）{total} 分，{lost} 项失分："
                "已整改 {done} 项，未整改 {not_done} 项，其余尚未复查。"
            ).format(
                date=s.previous.visit_date or "—",
                total=fmt(s.previous_report.total),
                lost=lost_before,
                done=len(done),
                not_done=len(not_done),
            )
        )
        self.previous_list.clear()
        for item_id, status in rows:
            if status is None:
                continue
            mark = "✓ " + _("已整改") if status == RECTIFIED else "✗ " + _("未整改")
            entry = QListWidgetItem(f"{mark}  {item_id}  {s.item(item_id).text}")
            entry.setToolTip(f"{item_id} {s.item(item_id).text}")
            entry.setData(ITEM_ROLE, item_id)
            self.previous_list.addItem(entry)
        set_shown(self.previous_list, self.previous_list.count() > 0)
