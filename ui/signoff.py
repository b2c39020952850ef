"""Sign-off: each inspector and the station's representative sign on a pad with their printed
name; signing locks the evaluation.

The page first shows what the signatures vouch for, from the one core check
(:func:`inspector.store.signing_checks.sign_check`, the same one ``inspector eval sign`` obeys):
total, conclusion, vetoes with their notes, and what blocks signing (unanswered items, team
conflicts, deductions that do not say what was found). Signing needs that check to pass and an
explicit confirmation that the total and conclusion were read.

Each drawn signature is stored as a PNG evidence file; its SHA-256 goes into the signer's
record (``store.sign(eval_id, [{"name", "role", "signature"}, …])``), which writes the sign-off
changes and the lock in one transaction.

The seam for what comes after the lock (the cryptographic PDF signature, ``inspector.crypto.pdfsign``):
append a callable to :data:`FINISH_HOOKS` — it receives a :class:`SignedEvaluation` once the
lock is on disk — or connect to :attr:`SignOffPage.signed`. A hook that refuses
(:class:`~inspector.errors.InspectorError`) is reported; the evaluation stays signed and locked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.fileio import scratch_folder
from inspector.i18n import _
from inspector.rubric.points import fmt
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.signing_checks import SignCheck, sign_check
from inspector.store.signing_checks import kind_label as deduction_label
from ui.errors import show_user_error
from ui.session import EvaluationSession
from ui.signature_pad import SignaturePad


@dataclass(frozen=True)
class SignedEvaluation:
    """What a finish hook is given: the evaluation is signed and locked when it runs."""

    store: EvaluationStore
    data_dir: Path
    eval_id: str
    signers: list[dict[str, Any]]


FinishHook = Callable[[SignedEvaluation], None]
FINISH_HOOKS: list[FinishHook] = []


class SignerRow(QFrame):
    remove = Signal(object)

    def __init__(self, name: str, role: str, removable: bool) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(self)
        layout.addWidget(QLabel(_("姓名")), 0, 0)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText(_("签署人姓名（正楷）"))
        layout.addWidget(self.name, 0, 1)
        layout.addWidget(QLabel(_("身份")), 0, 2)
        self.role = QLineEdit(role)
        layout.addWidget(self.role, 0, 3)
        self.pad = SignaturePad()
        layout.addWidget(self.pad, 1, 0, 1, 4)
        buttons = QHBoxLayout()
        clear = QPushButton(_("清除签名"))
        clear.clicked.connect(self.pad.clear)
        buttons.addWidget(clear)
        buttons.addStretch(1)
        if removable:
            drop = QPushButton(_("删除此签署人"))
            drop.clicked.connect(lambda: self.remove.emit(self))
            buttons.addWidget(drop)
        layout.addLayout(buttons, 2, 0, 1, 4)
        layout.setColumnStretch(1, 2)
        layout.setColumnStretch(3, 1)


def _file_name(name: str) -> str:
    return "signature-" + (re.sub(r"[^\w\-]+", "_", name).strip("_") or "signer") + ".png"


class SignOffPage(QWidget):
    signed = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.session: EvaluationSession | None = None
        self.rows: list[SignerRow] = []
        layout = QVBoxLayout(self)
        title = QLabel(_("签署"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.check: SignCheck | None = None
        self.summary = QLabel()  # what is being signed: total, conclusion, vetoes, blockers
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.confirm = QCheckBox(_("我已核对上述总分、结论和否决项，确认无误后签署"))
        self.confirm.toggled.connect(lambda _on: self._update_button())
        layout.addWidget(self.confirm)
        self.rows_box = QWidget()
        self.rows_layout = QVBoxLayout(self.rows_box)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows_box)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(scroll, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.message)
        bar = QHBoxLayout()
        back = QPushButton(_("返回汇总") + "  Esc")
        back.clicked.connect(self.back.emit)
        bar.addWidget(back)
        self.add_button = add = QPushButton(_("添加签署人"))
        add.clicked.connect(lambda: self.add_row("", _("评估人员"), removable=True))
        bar.addWidget(add)
        bar.addStretch(1)
        self.sign_button = QPushButton(_("签署并锁定"))
        self.sign_button.clicked.connect(self.sign)
        bar.addWidget(self.sign_button)
        layout.addLayout(bar)

    def show_session(self, session: EvaluationSession) -> None:
        self.session = session
        for row in list(self.rows):
            self._drop(row)
        e = session.evaluation
        self.intro.setText(
            _(
                "{station}：请评估组成员和机构代表在各自的签名框内签名。签署后本评估锁定为只读，之后的更改须另建修订版。"
            ).format(station=e.org_name)
        )
        self.message.clear()
        self.check = check = sign_check(session.store, session.eval_id)
        self.summary.setText(summary_html(session, check))
        self.confirm.setChecked(False)
        self.confirm.setVisible(not check.signed)
        self.sign_button.setVisible(not check.signed)
        self.add_button.setVisible(not check.signed)
        if check.signed:  # shown for the record: who signed is on the summary page
            self.intro.setText(
                _("{station}：本评估已于 {date} 签署并锁定，只读。").format(
                    station=e.org_name, date=(e.signed_at or "")[:10]
                )
            )
            self._update_button()
            return
        members = e.team or [{"name": "", "role": _("评估人员")}]
        for m in members:
            self.add_row(str(m.get("name", "")), str(m.get("role", "")) or _("评估人员"), removable=True)
        self.add_row("", _("机构代表"), removable=False)
        if not check.ok:
            self.message.setText("⚠ " + "；".join(check.blockers()))
        self._update_button()

    def _update_button(self) -> None:
        check = self.check
        self.sign_button.setEnabled(
            check is not None and check.ok and not check.signed and self.confirm.isChecked()
        )

    def add_row(self, name: str, role: str, *, removable: bool) -> SignerRow:
        row = SignerRow(name, role, removable)
        row.remove.connect(self._drop)
        self.rows.append(row)
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        return row

    def _drop(self, row: SignerRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def focus_first(self) -> None:
        if self.rows:
            self.rows[0].name.setFocus(Qt.FocusReason.OtherFocusReason)

    def signers_missing(self) -> str | None:
        if not self.rows:
            return _("至少需要一名签署人")
        for row in self.rows:
            if not row.name.text().strip():
                row.name.setFocus()
                return _("请填写每位签署人的姓名")
        for row in self.rows:
            if row.pad.is_empty():
                return _("{name} 尚未签名").format(name=row.name.text().strip())
        return None

    def sign(self) -> None:
        s = self.session
        if s is None:
            return
        check = self.check = sign_check(s.store, s.eval_id)  # again: nothing changed behind the page
        if not check.ok:
            self.message.setText("⚠ " + "；".join(check.blockers()))
            self._update_button()
            return
        missing = self.signers_missing()
        if missing is not None:
            self.message.setText("⚠ " + missing)
            return
        if not self.confirm.isChecked():
            self.message.setText("⚠ " + _("请先核对总分和结论，并勾选确认"))
            self.confirm.setFocus()
            return
        signers: list[dict[str, Any]] = []
        try:
            # scratch_folder: its clean-up never raises (a scanner still reading a signature
            # picture must not stop the signature from being recorded)
            with scratch_folder(prefix="inspector-signoff-") as tmp:
                for row in self.rows:
                    name = row.name.text().strip()
                    path = tmp / _file_name(name)
                    if not row.pad.to_image().save(str(path)):  # PNG, from the name
                        raise OSError(f"cannot write {path}")
                    digest = add_evidence(s.store.db, s.data_dir, path)
                    signer = {"name": name, "signature": digest}
                    if row.role.text().strip():
                        signer["role"] = row.role.text().strip()
                    signers.append(signer)
            s.store.sign(s.eval_id, signers)
        except InspectorError as e:
            self.message.setText("⚠ " + str(e))
            return
        s.reload()
        done = SignedEvaluation(s.store, s.data_dir, s.eval_id, signers)
        for hook in FINISH_HOOKS:
            try:
                hook(done)
            except InspectorError as e:  # the lock stands; the hook's work can be redone later
                show_user_error(self, e, _("签署后处理未完成"))
        self.signed.emit(s.eval_id)


def summary_html(session: EvaluationSession, check: SignCheck) -> str:
    """What the signatures vouch for, in a few lines: total, conclusion, vetoes, what blocks."""
    r, rubric = check.report, session.rubric
    red = "#b3261e"
    out = []
    if rubric.scored and check.disallowed is not None:  # signing refuses it: no total either
        out.append(f"<p style='color:{red}'><b>{escape(_('无总分'))}</b></p>")
    elif rubric.scored:
        total = _("总分：{total}").format(total=f"{fmt(r.total)} / {fmt(rubric.max_points)}")
        if rubric.bonus_points:
            total += "　" + _("（其中加分 {b} 分）").format(b=fmt(r.bonus))
        out.append(f"<p style='font-size:large'><b>{escape(total)}</b></p>")
    else:
        unmet = sum(1 for i in r.items if i.answered and i.reason)
        out.append(f"<p><b>{escape(_('记录表：不符合 {n} 项').format(n=unmet))}</b></p>")
    if r.outcome is not None and check.disallowed is None:
        label, _final = session.outcome_text()
        colour = f" style='color:{red}'" if r.vetoed else ""
        out.append(f"<p{colour}><b>{escape(_('评估结论：{label}').format(label=label))}</b></p>")
    if r.vetoed:
        for v in r.vetoed:
            veto = rubric.veto(v.id)
            text = f"⊗ {v.id} {veto.text if veto else ''}：{v.note or _('（未写明发现的情况）')}"
            out.append(f"<p style='color:{red}'>{escape(text)}</p>")
    elif rubric.vetoes:
        out.append(f"<p>{escape(_('否决项：未发现'))}</p>")
    if rubric.scored:
        out.append(f"<p>{escape(_('失分 {n} 项').format(n=len(r.lost)))}</p>")
    for u in check.unexplained:
        line = _("✎ {id} 扣 {lost} 分（{kind}），未写明发现的情况").format(
            id=u.item_id, lost=fmt(u.max_points - u.points), kind=deduction_label(u.kind)
        )
        out.append(f"<p style='color:{red}'>{escape(line)}</p>")
    for m in check.without_evidence:
        line = _("！ {id} 扣分{label}（{clause}）").format(id=m.item_id, label=m.label, clause=m.clause)
        out.append(f"<p style='color:{red}'>{escape(line)}</p>")
    if check.conflicts:
        line = _("⚠ 评估组冲突未解决：{ids}").format(ids="、".join(check.conflicts))
        out.append(f"<p style='color:{red}'>{escape(line)}</p>")
    if check.unanswered:
        line = _("○ 未评分：{n} 项").format(n=len(check.unanswered))
        out.append(f"<p style='color:{red}'>{escape(line)}</p>")
    return "".join(out)
