"""Sign-off: each inspector and the station's representative sign on a pad with their printed
name; signing locks the evaluation.

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
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
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
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
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
        add = QPushButton(_("添加签署人"))
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
        members = e.team or [{"name": "", "role": _("评估人员")}]
        for m in members:
            self.add_row(str(m.get("name", "")), str(m.get("role", "")) or _("评估人员"), removable=True)
        self.add_row("", _("机构代表"), removable=False)
        self.message.clear()
        self.sign_button.setEnabled(e.state == "complete")
        if e.state != "complete":
            self.message.setText(_("评估尚未完成，不能签署：请先评完全部小项并解决冲突。"))

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
        missing = self.signers_missing()
        if missing is not None:
            self.message.setText("⚠ " + missing)
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
